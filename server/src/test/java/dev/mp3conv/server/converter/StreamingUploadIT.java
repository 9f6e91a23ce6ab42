package dev.mp3conv.server.converter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.mp3conv.server.converter.StreamingApi.awaitClaimed;
import static dev.mp3conv.server.converter.StreamingApi.awaitFinished;
import static dev.mp3conv.server.converter.StreamingApi.ffmpegRuns;
import static dev.mp3conv.server.converter.StreamingApi.job;
import static dev.mp3conv.server.converter.StreamingApi.mp3Seconds;
import static dev.mp3conv.server.converter.StreamingApi.patchInPieces;
import static dev.mp3conv.server.converter.StreamingApi.send;
import static dev.mp3conv.server.converter.StreamingApi.tusCreate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Converting a tus upload while it arrives (issue 24), through the real HTTP API, gateway and converter in one
 * server (embedded store, in-process queue): a streamable upload is claimed before its last byte and its MP3
 * covers the whole file; an MP4 with its index at the end waits for the upload; a paused upload gives its slot
 * up after {@code converter.stream-idle} and converts afterwards; a resume within it continues the same run;
 * a terminated upload stops ffmpeg and leaves nothing. The different-process case is
 * {@code cluster.StreamingProcessIT}.
 */
class StreamingUploadIT {

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void aMatroskaUploadIsConvertedWhileItArrivesAndItsMp3CoversTheWholeFile() throws Exception {
        Mp3convServer server = start(Map.of());
        Path mkv = video("talk.mkv", 20);
        byte[] bytes = Files.readAllBytes(mkv);
        String upload = tusCreate(server, bytes.length, "talk.mkv");
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        int half = bytes.length / 2;
        long offset = patchInPieces(server, upload, bytes, 0, half);

        // claimed and converting before the last byte: UPLOADING, with the conversion's own progress
        JobView streaming = await("converting while uploading").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> job(server, id),
                        j -> j.streaming() != null && j.streaming().conversionProgress() != null
                                && j.streaming().conversionProgress() > 0);
        assertThat(streaming.state()).isEqualTo(JobState.UPLOADING);
        assertThat(streaming.streaming().mode()).isEqualTo(JobStreaming.STREAMING);
        assertThat(streaming.streaming().container()).isEqualTo("matroska");
        assertThat(streaming.progress()).as("the upload's progress").isBetween(0.4, 0.6);
        assertThat(server.backend().jobs().find(id).orElseThrow().leaseOwner()).isNotNull();

        patchInPieces(server, upload, bytes, offset, bytes.length);
        JobView done = awaitFinished(server, id);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.streaming().mode()).as("converted in the run that followed the upload")
                .isEqualTo(JobStreaming.STREAMING);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.durationSeconds()).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.5));
        assertThat(mp3Seconds(server, id, dir)).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void aFastStartMp4StreamsAndAnMp4WithItsIndexAtTheEndConvertsAfterTheUpload() throws Exception {
        Mp3convServer server = start(Map.of());
        Map<String, String> ids = new HashMap<>();
        for (String name : List.of("fast.mp4", "end.mp4")) {
            Path mp4 = name.startsWith("fast") ? video(name, 12, "-movflags", "+faststart") : video(name, 12);
            byte[] bytes = Files.readAllBytes(mp4);
            String upload = tusCreate(server, bytes.length, name);
            patchInPieces(server, upload, bytes, 0, bytes.length);
            ids.put(name, upload.substring(upload.lastIndexOf('/') + 1));
        }
        JobView fast = awaitFinished(server, ids.get("fast.mp4"));
        JobView end = awaitFinished(server, ids.get("end.mp4"));
        assertThat(fast.state()).isEqualTo(JobState.DONE);
        assertThat(fast.streaming()).extracting(JobStreaming::container, JobStreaming::reason)
                .containsExactly("mp4", "MP4/MOV with its index (moov) before the media");
        assertThat(end.state()).isEqualTo(JobState.DONE);
        assertThat(end.streaming()).isEqualTo(new JobStreaming(JobStreaming.AFTER_UPLOAD, "mp4",
                "MP4/MOV with its index (moov) after the media", null));
        assertThat(mp3Seconds(server, ids.get("fast.mp4"), dir)).isCloseTo(12.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(mp3Seconds(server, ids.get("end.mp4"), dir)).isCloseTo(12.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void aPausedUploadGivesItsSlotUpAfterTheIdleTimeAndConvertsOnceComplete() throws Exception {
        Mp3convServer server = start(Map.of("converter.stream-idle", "1s"));
        byte[] bytes = Files.readAllBytes(video("paused.mkv", 20));
        String upload = tusCreate(server, bytes.length, "paused.mkv");
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        long offset = patchInPieces(server, upload, bytes, 0, bytes.length / 2);
        awaitClaimed(server, id);

        // the client goes quiet: the converter gives up, its claim and ffmpeg go
        JobView given = await("streaming given up").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> job(server, id), j -> JobStreaming.AFTER_UPLOAD.equals(j.streaming().mode()));
        assertThat(given.state()).isEqualTo(JobState.UPLOADING);
        assertThat(given.streaming().reason()).isEqualTo("the upload paused for more than 1 s");
        assertThat(given.streaming().conversionProgress()).isNull();
        assertThat(server.backend().jobs().find(id).orElseThrow().leaseOwner()).as("slot freed").isNull();
        await("ffmpeg gone").atMost(Duration.ofSeconds(10)).until(() -> ffmpegRuns() == 0);

        patchInPieces(server, upload, bytes, offset, bytes.length);
        JobView done = awaitFinished(server, id);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.streaming().mode()).isEqualTo(JobStreaming.AFTER_UPLOAD);
        assertThat(mp3Seconds(server, id, dir)).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void aResumeWithinTheIdleTimeContinuesTheSameConversion() throws Exception {
        Mp3convServer server = start(Map.of("converter.stream-idle", "20s"));
        byte[] bytes = Files.readAllBytes(video("resumed.mkv", 20));
        String upload = tusCreate(server, bytes.length, "resumed.mkv");
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        patchInPieces(server, upload, bytes, 0, bytes.length / 3);
        awaitClaimed(server, id);
        // the converter has read everything there is and waits: its progress stops short of the end
        await("converter waiting").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> job(server, id).streaming().conversionProgress(), p -> p != null && p > 0.1);
        // a new connection asks where to go on (tus resume) and sends the rest
        long offset = headOffset(upload, server);
        assertThat(offset).isEqualTo(bytes.length / 3);
        patchInPieces(server, upload, bytes, offset, bytes.length);
        JobView done = awaitFinished(server, id);
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.streaming().mode()).isEqualTo(JobStreaming.STREAMING);
        assertThat(done.attempts()).as("one run").isEqualTo(1);
        assertThat(mp3Seconds(server, id, dir)).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void aTerminatedUploadStopsItsConversionAndLeavesNothing() throws Exception {
        Mp3convServer server = start(Map.of("converter.stream-idle", "60s"));
        byte[] bytes = Files.readAllBytes(video("gone.mkv", 20));
        String upload = tusCreate(server, bytes.length, "gone.mkv");
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        patchInPieces(server, upload, bytes, 0, bytes.length / 2);
        awaitClaimed(server, id);
        // the claim comes first, then the converter starts ffmpeg on the follow input
        await("ffmpeg running").atMost(Duration.ofSeconds(30)).until(() -> ffmpegRuns() > 0);

        HttpResponse<String> deleted = send(server, "DELETE", upload, HttpRequest.BodyPublishers.noBody());
        assertThat(deleted.statusCode()).isEqualTo(204);
        await("ffmpeg stopped").atMost(Duration.ofSeconds(10)).until(() -> ffmpegRuns() == 0);
        assertThat(send(server, "GET", "/api/v1/jobs/" + id, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(404);
        assertThat(server.backend().jobs().find(id)).isEmpty();
        // no blob of the job's anywhere: neither its upload nor a partial MP3
        await("nothing left").atMost(Duration.ofSeconds(10)).until(() -> blobsOf(server, id) == 0);
    }

    private Mp3convServer start(Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        config.put("app.roles", "gateway,converter");
        config.put("converter.ffmpeg", MediaSamples.FFMPEG);
        config.put("converter.concurrency", "2");
        Mp3convServer server = ServerWithFakeAuth.start(dir.resolve("data-" + opened.size()), config);
        opened.add(server);
        return server;
    }

    /** A video of {@code seconds} with a tone and a small picture, in the container its name says. */
    private Path video(String name, int seconds, String... extra) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=" + seconds,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"));
        command.addAll(Arrays.asList(extra));
        command.add(target.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0).as("ffmpeg made " + name).isTrue();
        return target;
    }



    private static long headOffset(String upload, Mp3convServer server) throws Exception {
        HttpResponse<String> res = send(server, "HEAD", upload, HttpRequest.BodyPublishers.noBody());
        assertThat(res.statusCode()).isEqualTo(200);
        return Long.parseLong(res.headers().firstValue("Upload-Offset").orElseThrow());
    }






    /** Blobs and unfinished uploads whose metadata names the job, in the filesystem store. */
    private static long blobsOf(Mp3convServer server, String id) throws IOException {
        Path root = server.backend().dataDir().resolve("blobs");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).filter(p -> {
                try {
                    return Files.readString(p).contains(id);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }

}
