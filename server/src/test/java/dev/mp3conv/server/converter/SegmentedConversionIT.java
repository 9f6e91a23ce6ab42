package dev.mp3conv.server.converter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.SegmentRepository;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long inputs through the whole converter (embedded store, in-process queue, two slots): split into
 * segments, encoded, stitched, and as clean as a single-pass encode of the same input; short inputs
 * and MP3 sources keep their single run. The threshold is lowered to 20 s so the inputs stay short.
 */
class SegmentedConversionIT {
    @TempDir
    Path dir;

    private ConverterTestServer server;
    private Path runs;

    @BeforeEach
    void start() throws Exception {
        // every ffmpeg the converter starts goes through this script, which notes its arguments
        runs = dir.resolve("runs.log");
        Path wrapper = dir.resolve("bin").resolve("ffmpeg");
        Files.createDirectories(wrapper.getParent());
        Files.writeString(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + runs + "'\nexec '" + MediaSamples.FFMPEG
                + "' \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.segment-threshold", "20s",
                "converter.segments", "5", "converter.ffmpeg", wrapper.toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void longInputWithoutOptionsIsSegmentedAtTheStandardBitrateAndAsCleanAsOnePass() throws Exception {
        Path source = SegmentAudio.source(dir, 50, 44100, true);
        String id = server.submit(source, null, null);
        Job done = server.awaitFinished(id);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(done.bitrate()).isEqualTo("192k");
        assertThat(jobDocument(id).getInteger("segments")).isEqualTo(5);
        assertAsCleanAsOnePass(source, done, 2, List.of("-b:a", "192k"));
        // clean tags as a single run writes them: the title from the file name, nothing else
        com.fasterxml.jackson.databind.JsonNode tags = MediaSamples.probe(server.mp3File(done)).path("format").path("tags");
        assertThat(tags.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("title");
        assertThat(tags.path("title").asText()).isEqualTo(source.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
        assertThat(done.mp3Sha256()).as("the stitched file's SHA-256, tag included").isEqualTo(java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(server.mp3File(done)))));
        assertCleanedUp(done);
    }

    @Test
    void longVbrInputIsSegmentedAndAsCleanAsOnePass() throws Exception {
        Path source = SegmentAudio.source(dir, 50, 48000, true);
        String id = server.submit(source, null, 4);
        Job done = server.awaitFinished(id);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(done.bitrate()).isNull();
        assertThat(jobDocument(id).getInteger("segments")).isEqualTo(5);
        assertAsCleanAsOnePass(source, done, 2, List.of("-q:a", "4"));
        // the stitched file's Xing header describes the whole file: ffprobe's duration is the source's
        assertThat(MediaSamples.probe(server.mp3File(done)).path("format").path("duration").asDouble())
                .isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.05));
        assertCleanedUp(done);
    }

    @Test
    void longMp4InputIsSegmentedAndAsCleanAsOnePass() throws Exception {
        // an MP4 whose timestamps disagree with its samples by ~20 (ALAC remuxed from Matroska): its segments are
        // planned to seek, and a segment that sought by time instead of counting decoded samples would be shifted
        // at its splice (measured: 3 samples, SNR -2 dB); the first segment's check sees it
        Path source = SegmentAudio.mp4(SegmentAudio.source(dir, 50, 44100, true));
        SegmentRuns encodes = fiveSegmentsAsCleanAsOnePass(source);
        assertThat(encodes.firstChecked()).as("the first segment checked the second one's start").isTrue();
        assertThat(encodes.counted()).as("every later segment fell back to counting from the start, once")
                .hasSize(4).doesNotHaveDuplicates();
        assertThat(encodes.counted()).as("a segment that sought was encoded again, counting")
                .containsAll(encodes.sought());
    }

    @Test
    void longAacMp4InputSeeksAndIsAsCleanAsOnePass() throws Exception {
        // AAC in an MP4 as a recorder writes it (the bench's lecture): the checks agree, no segment counts again
        Path source = SegmentAudio.aacMp4(dir, 50, 44100);
        assertEveryLaterSegmentSoughtOnce(fiveSegmentsAsCleanAsOnePass(source));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"flac, flac", "wav, pcm_s16le"})
    void longFlacAndWavInputsSeekAndAreAsCleanAsOnePass(String extension, String codec) throws Exception {
        // audio only, as uploaded: FLAC's frame headers and WAV's byte offsets name every sample
        Path source = dir.resolve("source." + extension);
        SegmentAudio.ffmpeg("-i", SegmentAudio.source(dir, 50, 44100, true).toString(), "-map", "0:a", "-c:a", codec,
                source.toString());
        assertEveryLaterSegmentSoughtOnce(fiveSegmentsAsCleanAsOnePass(source));
    }

    /** Converts a 50 s source at 192k CBR: DONE in 5 segments, as clean as one pass, nothing left; its ffmpeg runs. */
    private SegmentRuns fiveSegmentsAsCleanAsOnePass(Path source) throws Exception {
        String id = server.submit(source, null, null);
        Job done = server.awaitFinished(id);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(jobDocument(id).getInteger("segments")).isEqualTo(5);
        assertAsCleanAsOnePass(source, done, 2, List.of("-b:a", "192k"));
        assertCleanedUp(done);
        return segmentRuns();
    }

    private static void assertEveryLaterSegmentSoughtOnce(SegmentRuns encodes) {
        assertThat(encodes.firstChecked()).isTrue();
        assertThat(encodes.sought()).as("every later segment sought, once").hasSize(4).doesNotHaveDuplicates();
        assertThat(encodes.counted()).as("none counted from the start").isEmpty();
    }

    @Test
    void shortInputKeepsTheSingleRun() throws Exception {
        Path source = SegmentAudio.source(dir, 15, 44100, true);
        Job done = server.awaitFinished(server.submit(source, "128k", null));
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(jobDocument(done.id()).containsKey("segments")).isFalse();
    }

    @Test
    void longMp3SourceStaysAStreamCopy() throws Exception {
        Path source = dir.resolve("long-mp3.mkv");
        SegmentAudio.ffmpeg("-i", SegmentAudio.source(dir, 45, 44100, true).toString(), "-map", "0", "-c:v", "copy",
                "-c:a", "libmp3lame", "-b:a", "128k", source.toString());
        Job done = server.awaitFinished(server.submit(source, null, null));
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(jobDocument(done.id()).containsKey("segments")).isFalse();
        assertThat(done.bitrate()).isEqualTo("128k");
    }

    @Test
    void truncatedLongInputFailsOnceWithAReasonAndLeavesNothingBehind() throws Exception {
        Path whole = SegmentAudio.source(dir, 50, 44100, true);
        Path cut = MediaSamples.truncated(whole, dir.resolve("cut.mkv"), 0.6);
        Job failed = server.awaitFinished(server.submit(cut, null, null));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("invalid-media");
        assertThat(failed.error().message()).contains("truncated or corrupt");
        assertThat(jobDocument(failed.id()).getInteger("segments")).as("it was segmented").isEqualTo(5);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(new SegmentRepository(server.server().backend().mongo(),
                    server.server().backend().clock()).ofJob(failed.id())).isEmpty();
            assertThat(server.mp3BlobsOf(failed.id())).isZero();
        });
        assertThat(server.mp3Messages().stream().filter(m -> m.jobId().equals(failed.id()))).hasSize(1);
    }

    /**
     * The segment encodes the wrapper saw: the later segments' starts of those that sought and of those that
     * counted from the start, and whether the first segment's run carried the check of the second's start.
     */
    private record SegmentRuns(List<Long> sought, List<Long> counted, boolean firstChecked) {
    }

    private SegmentRuns segmentRuns() throws Exception {
        java.util.regex.Pattern seek = java.util.regex.Pattern.compile("-af atrim=start_pts=(\\d+)");
        java.util.regex.Pattern count = java.util.regex.Pattern.compile("-af atrim=start_sample=(\\d+)");
        List<Long> sought = new java.util.ArrayList<>();
        List<Long> counted = new java.util.ArrayList<>();
        boolean checked = false;
        for (String run : Files.readAllLines(runs)) {
            java.util.regex.Matcher s = seek.matcher(run);
            java.util.regex.Matcher c = count.matcher(run);
            if (s.find()) {
                assertThat(run).contains("-noaccurate_seek", "-copyts", "ashowinfo@segstart", "-format_whitelist",
                        "-protocol_whitelist");
                sought.add(Long.parseLong(s.group(1)));
            } else if (c.find() && Long.parseLong(c.group(1)) > 0) {
                counted.add(Long.parseLong(c.group(1)));
            } else if (c.find(0)) {
                checked |= run.contains("ashowinfo@segnext") && run.contains("-copyts");
            }
        }
        return new SegmentRuns(sought, counted, checked);
    }

    private void assertAsCleanAsOnePass(Path source, Job done, int channels, List<String> cliArgs) throws Exception {
        int rate = MediaSamples.firstAudio(MediaSamples.probe(source)).path("sample_rate").asInt();
        Path single = SegmentAudio.singlePass(source, dir.resolve("single-" + done.id() + ".mp3"), cliArgs);
        float[] pcm = SegmentAudio.decode(source);
        Path mp3 = Files.copy(server.mp3File(done), dir.resolve("segmented-" + done.id() + ".mp3"));
        SegmentAudio.Quality segmented = SegmentAudio.compare(pcm, SegmentAudio.decode(mp3), channels, rate);
        SegmentAudio.Quality reference = SegmentAudio.compare(pcm, SegmentAudio.decode(single), channels, rate);
        System.out.printf("%s: segmented %s, single pass %s%n", cliArgs, segmented, reference);
        assertThat(segmented.lengthDifference()).as("length against the source").isLessThanOrEqualTo(1152);
        assertThat(segmented.snr()).isGreaterThanOrEqualTo(reference.snr() - 1.0);
        assertThat(segmented.worstWindowSnr()).isGreaterThanOrEqualTo(reference.worstWindowSnr() - 3.0);
    }

    private void assertCleanedUp(Job done) throws Exception {
        SegmentRepository segments = new SegmentRepository(server.server().backend().mongo(),
                server.server().backend().clock());
        assertThat(segments.ofJob(done.id())).as("segment units left").isEmpty();
        assertThat(server.mp3BlobsOf(done.id())).as("segment blobs left beside the MP3").isEqualTo(1);
        assertThat(server.mp3Messages().stream().filter(m -> m.jobId().equals(done.id()))).hasSize(1);
    }

    private Document jobDocument(String id) {
        return server.server().backend().mongo().collection("jobs")
                .find(eq("_id", new ObjectId(id))).first().orElseThrow();
    }
}
