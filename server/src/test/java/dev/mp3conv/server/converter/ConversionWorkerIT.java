package dev.mp3conv.server.converter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The converter role end to end on the embedded stack (ffmpeg reads blob files in place): every
 * readable container becomes an MP3 of the right length and bitrate, MP3 audio is stream-copied,
 * and every bad input ends as a FAILED job with its reason while the worker keeps consuming.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConversionWorkerIT {
    private Path samples;
    private ConverterTestServer server;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        samples = Files.createDirectories(dir.resolve("samples"));
        server = new ConverterTestServer(dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mp4-moov-at-end", "mp4-faststart", "webm-vp9-opus", "avi-pcm"})
    void convertsContainerToMp3AtDefaultBitrate(String kind) throws Exception {
        Path video = switch (kind) {
            case "mp4-moov-at-end" -> MediaSamples.mp4MoovAtEnd(samples);
            case "mp4-faststart" -> MediaSamples.mp4FastStart(samples);
            case "webm-vp9-opus" -> MediaSamples.webm(samples);
            default -> MediaSamples.aviPcm(samples);
        };

        Job job = server.awaitFinished(server.submit(video, null, null));

        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        assertThat(job.bitrate()).isEqualTo("192k");
        assertThat(job.progress()).isEqualTo(1.0);
        assertThat(job.durationSeconds()).isCloseTo(MediaSamples.SECONDS, within(0.1));
        JsonNode mp3 = MediaSamples.probe(server.mp3File(job));
        JsonNode audio = MediaSamples.firstAudio(mp3);
        assertThat(audio.path("codec_name").asText()).isEqualTo("mp3");
        assertThat(audio.path("bit_rate").asLong()).isEqualTo(192_000);
        assertThat(mp3.path("format").path("duration").asDouble()).isCloseTo(MediaSamples.SECONDS, within(0.1));
        assertThat(job.mp3Size()).isEqualTo(Files.size(server.mp3File(job)));
        assertThat(job.mp3Sha256()).as("computed while storing").isEqualTo(sha256(server.mp3File(job)));
        assertThat(server.mp3Messages()).contains(new JobMessage(job.id(), job.videoFid(), job.mp3Fid(), "user@example.com"));
        assertThat(server.job(job.id()).mp3PublishedAt()).isNotNull();
    }

    @Test
    void theMp3CarriesCleanId3TagsFromTheSourceOrItsFileName() throws Exception {
        Job tagged = server.awaitFinished(server.submit(MediaSamples.mp4WithTags(samples), null, null));
        Job vbr = server.awaitFinished(server.submit(MediaSamples.mp4WithTags(samples), null, 4));
        // MP3 audio in Matroska: stream-copied, through a file; the source has no title
        Job untitled = server.awaitFinished(server.submit(MediaSamples.mkvWithMp3(samples), null, null));

        for (Job job : List.of(tagged, vbr)) {
            assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
            JsonNode tags = MediaSamples.probe(server.mp3File(job)).path("format").path("tags");
            assertThat(tags.properties()).extracting(Map.Entry::getKey)
                    .containsExactlyInAnyOrder("title", "artist", "date", "comment");
            assertThat(tags.path("title").asText()).isEqualTo("Talk = Part; #1");
            assertThat(tags.path("artist").asText()).isEqualTo("Ann Example");
            assertThat(tags.path("date").asText()).isEqualTo("2026");
            assertThat(tags.path("comment").asText()).as("control characters become spaces")
                    .isEqualTo("first line second");
            assertThat(job.mp3Sha256()).isEqualTo(sha256(server.mp3File(job)));
        }
        assertThat(untitled.state()).as("error %s", untitled.error()).isEqualTo(JobState.DONE);
        JsonNode tags = MediaSamples.probe(server.mp3File(untitled)).path("format").path("tags");
        assertThat(tags.properties()).extracting(Map.Entry::getKey).containsExactly("title");
        assertThat(tags.path("title").asText()).isEqualTo("mp3-audio");
        assertThat(untitled.mp3Sha256()).isEqualTo(sha256(server.mp3File(untitled)));
    }

    @Test
    void aJobIsOneFfmpegRunThatAlsoPrintsTheTagsAndAnMp3SourceEndsItForACopy(@TempDir Path dir) throws Exception {
        // every ffmpeg the converter starts goes through this script, which notes its arguments
        Path runs = dir.resolve("runs.log");
        Path wrapper = dir.resolve("bin").resolve("ffmpeg");
        Files.createDirectories(wrapper.getParent());
        Files.writeString(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + runs + "'\nexec '" + MediaSamples.FFMPEG
                + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try (ConverterTestServer counted = new ConverterTestServer(dir.resolve("data"),
                Map.of("converter.ffmpeg", wrapper.toString(), "converter.concurrency", "1"))) {
            Job tagged = counted.awaitFinished(counted.submit(MediaSamples.mp4WithTags(samples), null, null));

            assertThat(tagged.state()).as("error %s", tagged.error()).isEqualTo(JobState.DONE);
            List<String> taggedRuns = Files.readAllLines(runs);
            assertThat(taggedRuns).as("no tag read of its own").singleElement().asString()
                    .contains("-c:a libmp3lame", "-f mp3", "-f ffmetadata pipe:1");
            JsonNode tags = MediaSamples.probe(counted.mp3File(tagged)).path("format").path("tags");
            assertThat(tags.path("title").asText()).isEqualTo("Talk = Part; #1");
            assertThat(tags.path("artist").asText()).isEqualTo("Ann Example");
            assertThat(tagged.bitrate()).isEqualTo("192k");
            assertThat(tagged.mp3Sha256()).isEqualTo(sha256(counted.mp3File(tagged)));
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(counted.mp3File(tagged)), 4096);
            assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as("a CBR MP3 as a pipe carries it: no Info frame").doesNotContain("Info", "Xing");

            Path mkv = MediaSamples.mkvWithMp3(samples);
            Job copied = counted.awaitFinished(counted.submit(mkv, null, null));

            assertThat(copied.state()).as("error %s", copied.error()).isEqualTo(JobState.DONE);
            List<String> allRuns = Files.readAllLines(runs);
            List<String> copyRuns = allRuns.subList(taggedRuns.size(), allRuns.size());
            assertThat(copyRuns).as("an encode ended at its summary, then the copy").hasSize(2);
            assertThat(copyRuns.get(0)).contains("-c:a libmp3lame");
            assertThat(copyRuns.get(1)).contains("-c:a copy", "-f ffmetadata pipe:1");
            assertThat(copied.bitrate()).isEqualTo("128k");
            assertThat(MediaSamples.audioPacketsMd5(counted.mp3File(copied)))
                    .isEqualTo(MediaSamples.audioPacketsMd5(mkv));
            assertThat(MediaSamples.probe(counted.mp3File(copied)).path("format").path("tags").path("title").asText())
                    .isEqualTo("mp3-audio");
        }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void encodesAtTheBitrateAsked() throws Exception {
        Job job = server.awaitFinished(server.submit(MediaSamples.mp4FastStart(samples), "128k", null));

        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.bitrate()).isEqualTo("128k");
        JsonNode audio = MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(job)));
        assertThat(audio.path("bit_rate").asLong()).isEqualTo(128_000);
        assertThat(audio.path("sample_rate").asInt()).isEqualTo(44_100);
        assertThat(audio.path("channels").asInt()).isEqualTo(2);
    }

    @Test
    void audioIsBroughtWithinMp3AndOtherwiseKeptAsItIs() throws Exception {
        Job surround = server.awaitFinished(server.submit(MediaSamples.surround96k(samples), null, null));
        Job mono = server.awaitFinished(server.submit(MediaSamples.mono22k(samples), "64k", null));

        assertThat(surround.state()).as("error %s", surround.error()).isEqualTo(JobState.DONE);
        JsonNode fromSurround = MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(surround)));
        assertThat(fromSurround.path("sample_rate").asInt()).as("96 kHz brought to MP3's highest").isEqualTo(48_000);
        assertThat(fromSurround.path("channels").asInt()).as("5.1 downmixed").isEqualTo(2);
        assertThat(mono.state()).as("error %s", mono.error()).isEqualTo(JobState.DONE);
        JsonNode fromMono = MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(mono)));
        assertThat(fromMono.path("sample_rate").asInt()).isEqualTo(22_050);
        assertThat(fromMono.path("channels").asInt()).isEqualTo(1);
        assertThat(fromMono.path("bit_rate").asLong()).isEqualTo(64_000);
    }

    @Test
    void audioThatEndsBeforeTheVideoIsNotMistakenForATruncatedFile() throws Exception {
        Path video = MediaSamples.mp4AudioEndsEarly(samples);
        assertThat(MediaSamples.probe(video).path("format").path("duration").asDouble()).isCloseTo(4.0, within(0.1));

        Job job = server.awaitFinished(server.submit(video, "128k", null));

        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        assertThat(MediaSamples.probe(server.mp3File(job)).path("format").path("duration").asDouble())
                .isCloseTo(3.0, within(0.1));
    }

    @Test
    void variableBitrateMp3CarriesItsXingHeader() throws Exception {
        Job job = server.awaitFinished(server.submit(MediaSamples.mp4MoovAtEnd(samples), null, 4));

        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.bitrate()).isNull();
        Path mp3 = server.mp3File(job);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(mp3), 4096);
        assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("Xing");
        assertThat(MediaSamples.probe(mp3).path("format").path("duration").asDouble())
                .isCloseTo(MediaSamples.SECONDS, within(0.1));
    }

    @Test
    void mp3AudioIsStreamCopiedBitForBit() throws Exception {
        Path mkv = MediaSamples.mkvWithMp3(samples);

        Job job = server.awaitFinished(server.submit(mkv, null, null));

        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(job.bitrate()).isEqualTo("128k");
        assertThat(job.durationSeconds()).as("recorded even when the copy ends in milliseconds")
                .isCloseTo(MediaSamples.SECONDS, within(0.1));
        Path mp3 = server.mp3File(job);
        assertThat(MediaSamples.audioPacketsMd5(mp3)).isEqualTo(MediaSamples.audioPacketsMd5(mkv));
        assertThat(MediaSamples.probe(mp3).path("format").path("duration").asDouble())
                .isCloseTo(MediaSamples.SECONDS, within(0.1));
    }

    @Test
    void badInputsFailWithTheirReasonAndTheWorkerKeepsConsuming() throws Exception {
        Path faststart = MediaSamples.mp4FastStart(samples);
        Path moovAtEnd = MediaSamples.mp4MoovAtEnd(samples);
        String noAudio = server.submit(MediaSamples.videoOnly(samples), null, null);
        String cutAfterIndex = server.submit(MediaSamples.truncated(faststart, samples.resolve("cut-faststart.mp4"), 0.5), null, null);
        String cutBeforeIndex = server.submit(MediaSamples.truncated(moovAtEnd, samples.resolve("cut-moov.mp4"), 0.5), null, null);
        String random = server.submit(MediaSamples.randomBytes(samples), null, null);
        String empty = server.submit(MediaSamples.zeroBytes(samples), null, null);
        String badBitrate = server.submit(faststart, "100k", null);
        String good = server.submit(faststart, null, null);

        assertFailed(noAudio, "no-audio", "no audio stream");
        assertFailed(cutAfterIndex, "invalid-media", "truncated or corrupt");
        assertUnreadable(cutBeforeIndex, "moov atom not found");
        assertUnreadable(random, "input: ");
        assertUnreadable(empty, "Invalid data found when processing input");
        assertFailed(badBitrate, "invalid-options", "bitrate must be one of");
        assertThat(server.awaitFinished(good).state()).isEqualTo(JobState.DONE);
        for (String id : List.of(noAudio, cutAfterIndex, cutBeforeIndex, random, empty, badBitrate)) {
            Job job = server.job(id);
            assertThat(job.attempts()).as("attempts of %s", id).isEqualTo(1);
            assertThat(job.mp3Fid()).isNull();
            assertThat(server.mp3BlobsOf(id)).isZero();
            assertThat(server.mp3Messages()).extracting(JobMessage::jobId).contains(id);
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.server().adminPort() + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("mp3conv_conversions_total{outcome=\"no-audio\"")
                .contains("mp3conv_conversions_total{outcome=\"done\"")
                .contains("mp3conv_conversion_speed");
    }

    // what the user reads is ours; what ffmpeg said stays as the detail
    private void assertUnreadable(String id, String ffmpegSays) {
        assertFailed(id, "invalid-media", "not a video or audio file that can be read");
        assertThat(server.job(id).error().message()).isEqualTo("not a video or audio file that can be read");
        assertThat(server.job(id).error().detail()).contains(ffmpegSays)
                .doesNotContain(server.server().backend().dataDir().toString());
    }

    private void assertFailed(String id, String code, String reason) {
        Job job = server.awaitFinished(id);
        assertThat(job.state()).as("job %s", job).isEqualTo(JobState.FAILED);
        assertThat(job.error().code()).isEqualTo(code);
        assertThat(job.error().message()).contains(reason).doesNotContain(server.server().backend().dataDir().toString());
    }
}
