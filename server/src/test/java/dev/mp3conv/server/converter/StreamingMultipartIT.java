package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.SlowMultipart;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * Converting a multipart upload ({@code POST /api/v1/jobs}, seed {@code /upload}) while its body arrives (issue 24),
 * through the real HTTP API with gateway and converter in one server, on the filesystem store and on GridFS: the
 * client is a socket that sends the body in two halves, so the job is seen UPLOADING and converting between them.
 * A streamable file part is claimed before its last byte and its MP3 covers the whole file; a body cut mid-way
 * leaves no job, blob or MP3 and frees the converter's slot; an MP4 with its index at the end converts after the
 * upload; a streamed job that waits for {@code converter.per-user} (tus and multipart) still ends DONE whole.
 */
class StreamingMultipartIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "gridfs"})
    void aMatroskaPartIsConvertedWhileTheBodyArrivesAndItsMp3CoversTheWholeFile(String store) throws Exception {
        Mp3convServer server = start(store, Map.of());
        byte[] mkv = video("talk.mkv", 30);
        // several 1 MiB GridFS chunks: the converter can read the first ones while the rest is on its way
        assertThat(mkv.length).isGreaterThan(2 * 1024 * 1024);
        try (SlowMultipart body = slow(server, "/api/v1/jobs", Map.of("bitrate", "128k"), "file",
                "talk.mkv", mkv)) {
            body.sendFile(mkv.length / 2);
            String id = awaitStreamingJob(server, "talk.mkv");
            JobView streaming = await("converting while the body arrives").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> job(server, id),
                            j -> j.streaming().conversionProgress() != null && j.streaming().conversionProgress() > 0);
            assertThat(streaming.state()).isEqualTo(JobState.UPLOADING);
            assertThat(streaming.streaming()).extracting(JobStreaming::mode, JobStreaming::container)
                    .containsExactly(JobStreaming.STREAMING, "matroska");
            // the part's size is known at its end; the upload's progress is a share of the body's Content-Length
            assertThat(streaming.size()).isZero();
            assertThat(streaming.progress()).as("the upload's progress").isBetween(0.3, 0.7);
            assertThat(server.backend().jobs().find(id).orElseThrow().leaseOwner()).isNotNull();

            SlowMultipart.Answer answer = body.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            JobView answered = Json.mapper().readValue(answer.body(), JobView.class);
            assertThat(answered.id()).isEqualTo(id);
            assertThat(answered.state()).as("the converter holds it").isIn(JobState.CONVERTING, JobState.DONE);
            JobView done = awaitFinished(server, id);
            assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
            assertThat(done.streaming().mode()).as("converted in the run that followed the body")
                    .isEqualTo(JobStreaming.STREAMING);
            assertThat(done.attempts()).isEqualTo(1);
            assertThat(done.size()).isEqualTo(mkv.length);
            assertThat(done.bitrate()).as("the field before the file part").isEqualTo("128k");
            assertThat(server.backend().jobs().find(id).orElseThrow().sha256()).isEqualTo(sha256(mkv));
            assertThat(done.durationSeconds()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.5));
            assertThat(mp3Seconds(server, id, dir)).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "gridfs"})
    void aBodyCutMidWayStopsTheConversionLeavesNothingAndFreesTheSlot(String store) throws Exception {
        Mp3convServer server = start(store, Map.of("converter.concurrency", "1", "converter.stream-idle", "60s"));
        byte[] mkv = video("gone.mkv", 30);
        String id;
        String fid;
        try (SlowMultipart body = slow(server, "/api/v1/jobs", Map.of(), "file", "gone.mkv", mkv)) {
            body.sendFile(mkv.length / 2);
            id = awaitStreamingJob(server, "gone.mkv");
            awaitClaimed(server, id);
            await("ffmpeg running").atMost(Duration.ofSeconds(30)).until(() -> ffmpegRuns() > 0);
            fid = server.backend().jobs().find(id).orElseThrow().videoFid();
            // the client goes away mid-body: a multipart upload cannot be resumed
            body.cut();
        }
        await("ffmpeg stopped").atMost(Duration.ofSeconds(15)).until(() -> ffmpegRuns() == 0);
        await("no job").atMost(Duration.ofSeconds(15)).until(() -> server.backend().jobs().find(id).isEmpty());
        assertThat(send(server, "GET", "/api/v1/jobs/" + id, HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(404);
        await("nothing left").atMost(Duration.ofSeconds(15)).until(() -> blobsOf(server, id, fid) == 0);
        await("the reservation given back").atMost(Duration.ofSeconds(15))
                .until(() -> server.backend().quota().usage(ServerWithFakeAuth.ALICE.userId(), false).used() == 0);

        // the one conversion slot is free again: the next upload converts
        byte[] next = video("next.mkv", 4);
        HttpResponse<String> res = HTTP.send(multipart(server, "/api/v1/jobs", Map.of(), "file", "next.mkv", next),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
        JobView done = awaitFinished(server, Json.mapper().readValue(res.body(), JobView.class).id());
        assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
    }

    @Test
    void deletingTheJobWhileItsBodyArrivesEndsTheBodyWithAConflictAndLeavesNothing() throws Exception {
        Mp3convServer server = start("filesystem", Map.of("converter.stream-idle", "60s"));
        byte[] mkv = video("deleted.mkv", 20);
        try (SlowMultipart body = slow(server, "/api/v1/jobs", Map.of(), "file", "deleted.mkv", mkv)) {
            body.sendFile(mkv.length / 2);
            String id = awaitStreamingJob(server, "deleted.mkv");
            awaitClaimed(server, id);
            String fid = server.backend().jobs().find(id).orElseThrow().videoFid();
            assertThat(send(server, "DELETE", "/api/v1/jobs/" + id, HttpRequest.BodyPublishers.noBody()).statusCode())
                    .isEqualTo(204);
            SlowMultipart.Answer answer = body.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(409);
            assertThat(answer.body()).contains("the job was deleted while its file arrived");
            await("ffmpeg stopped").atMost(Duration.ofSeconds(15)).until(() -> ffmpegRuns() == 0);
            await("nothing left").atMost(Duration.ofSeconds(15)).until(() -> blobsOf(server, id, fid) == 0
                    && server.backend().jobs().find(id).isEmpty());
            await("the storage count back at 0").atMost(Duration.ofSeconds(15))
                    .until(() -> server.backend().quota().usage(ServerWithFakeAuth.ALICE.userId(), false).used() == 0);
        }
    }

    @Test
    void aFastStartMp4StreamsAndAnMp4WithItsIndexAtTheEndConvertsAfterTheUpload() throws Exception {
        Mp3convServer server = start("filesystem", Map.of());
        byte[] fast = video("fast.mp4", 30, "-movflags", "+faststart");
        String fastId;
        try (SlowMultipart body = slow(server, "/upload", Map.of(), "video", "fast.mp4", fast)) {
            // the seed's /upload takes the one file part under any name, and goes the same way
            body.sendFile(fast.length / 2);
            fastId = awaitStreamingJob(server, "fast.mp4");
            awaitClaimed(server, fastId);
            SlowMultipart.Answer answer = body.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
        byte[] end = video("end.mp4", 30);
        HttpResponse<String> res = HTTP.send(multipart(server, "/api/v1/jobs", Map.of(), "file", "end.mp4", end),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
        JobView endAnswer = Json.mapper().readValue(res.body(), JobView.class);
        assertThat(endAnswer.streaming()).as("chosen from its first bytes, stored whole first")
                .isEqualTo(new JobStreaming(JobStreaming.AFTER_UPLOAD, "mp4",
                        "MP4/MOV with its index (moov) after the media", null));

        JobView fastDone = awaitFinished(server, fastId);
        JobView endDone = awaitFinished(server, endAnswer.id());
        assertThat(fastDone.state()).as("%s", fastDone.error()).isEqualTo(JobState.DONE);
        assertThat(fastDone.streaming()).extracting(JobStreaming::mode, JobStreaming::container, JobStreaming::reason)
                .containsExactly(JobStreaming.STREAMING, "mp4", "MP4/MOV with its index (moov) before the media");
        assertThat(fastDone.attempts()).isEqualTo(1);
        assertThat(endDone.state()).as("%s", endDone.error()).isEqualTo(JobState.DONE);
        assertThat(endDone.streaming().mode()).isEqualTo(JobStreaming.AFTER_UPLOAD);
        assertThat(mp3Seconds(server, fastId, dir)).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(mp3Seconds(server, endAnswer.id(), dir)).isCloseTo(30.0, org.assertj.core.data.Offset.offset(0.2));
    }

    @Test
    void formFieldsAfterTheFilePartThatChangeItsOptionsTakeTheJobBackFromStreaming() throws Exception {
        Mp3convServer server = start("filesystem", Map.of());
        byte[] mkv = video("late.mkv", 20);
        Map<String, String> after = Map.of("bitrate", "96k");
        try (SlowMultipart body = slow(server, "/api/v1/jobs", Map.of(), "file", "late.mkv", mkv,
                after)) {
            body.sendFile(mkv.length / 2);
            String id = awaitStreamingJob(server, "late.mkv");
            awaitClaimed(server, id);
            SlowMultipart.Answer answer = body.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            JobView done = awaitFinished(server, id);
            assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
            assertThat(done.streaming()).extracting(JobStreaming::mode, JobStreaming::reason)
                    .containsExactly(JobStreaming.AFTER_UPLOAD, "form fields after the file part changed its options");
            assertThat(done.bitrate()).as("the field after the file part").isEqualTo("96k");
            assertThat(mp3Seconds(server, id, dir)).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
        }
    }

    @Test
    void streamedJobsThatWaitForTheirOwnersConversionLimitStillEndDoneAndWhole() throws Exception {
        Mp3convServer server = start("filesystem", Map.of("converter.per-user", "1", "converter.concurrency", "3",
                "converter.stream-idle", "60s"));
        byte[] first = video("first.mkv", 20);
        byte[] tusVideo = video("tus.mkv", 20);
        byte[] partVideo = video("part.mkv", 20);
        // the owner's one conversion: a tus upload claimed half-way, its converter waiting for the rest
        String firstUpload = tusCreate(server, first.length, "first.mkv");
        String firstId = firstUpload.substring(firstUpload.lastIndexOf('/') + 1);
        long firstOffset = patchInPieces(server, firstUpload, first, 0, first.length / 2);
        awaitClaimed(server, firstId);

        String tusUpload = tusCreate(server, tusVideo.length, "tus.mkv");
        String tusId = tusUpload.substring(tusUpload.lastIndexOf('/') + 1);
        long tusOffset = patchInPieces(server, tusUpload, tusVideo, 0, tusVideo.length / 2);
        try (SlowMultipart part = slow(server, "/api/v1/jobs", Map.of(), "file", "part.mkv", partVideo)) {
            part.sendFile(partVideo.length / 2);
            String partId = awaitStreamingJob(server, "part.mkv");
            // both chosen for streaming, both wait: no converter claims them while the owner's slot is taken
            await("waiting their turn").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .pollInterval(Duration.ofMillis(200)).until(() -> List.of(tusId, partId).stream()
                            .map(id -> server.backend().jobs().find(id).orElseThrow())
                            .allMatch(job -> job.state() == JobState.UPLOADING && job.leaseOwner() == null
                                    && JobStreaming.STREAMING.equals(job.streaming().mode())));

            patchInPieces(server, firstUpload, first, firstOffset, first.length);
            assertThat(awaitFinished(server, firstId).state()).isEqualTo(JobState.DONE);
            // the slot is free: one of the two is claimed while its upload still arrives, the other waits on
            await("one claimed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> List.of(tusId, partId).stream().map(id -> server.backend().jobs().find(id).orElseThrow())
                            .filter(job -> job.leaseOwner() != null).count() == 1);

            patchInPieces(server, tusUpload, tusVideo, tusOffset, tusVideo.length);
            SlowMultipart.Answer answer = part.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            for (String id : List.of(tusId, partId)) {
                JobView done = awaitFinished(server, id);
                assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
                assertThat(done.durationSeconds()).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.5));
                assertThat(mp3Seconds(server, id, dir)).isCloseTo(20.0, org.assertj.core.data.Offset.offset(0.2));
            }
        }
    }

    private Mp3convServer start(String store, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        config.put("app.roles", "gateway,converter");
        config.put("converter.ffmpeg", MediaSamples.FFMPEG);
        config.putIfAbsent("converter.concurrency", "2");
        if ("gridfs".equals(store)) {
            MongoServer mongo = new MongoServer(new MemoryBackend());
            var address = mongo.bind();
            opened.add(mongo::shutdownNow);
            config.put("mongodb.uri", "mongodb://127.0.0.1:" + address.getPort());
            config.put("mongodb.database", "streaming-multipart-it");
        }
        Mp3convServer server = ServerWithFakeAuth.start(dir.resolve("data-" + opened.size()), config);
        opened.add(server);
        return server;
    }

    /** A video of {@code seconds} with a tone and a 1 Mb/s picture, in the container its name says. */
    private byte[] video(String name, int seconds, String... extra) throws IOException, InterruptedException {
        Path target = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=" + seconds,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1M", "-c:a", "aac", "-shortest"));
        command.addAll(Arrays.asList(extra));
        command.add(target.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS) && process.exitValue() == 0).as("ffmpeg made " + name).isTrue();
        return Files.readAllBytes(target);
    }

    private static SlowMultipart slow(Mp3convServer server, String path, Map<String, String> before, String field,
                                      String filename, byte[] file) throws IOException {
        return slow(server, path, before, field, filename, file, Map.of());
    }

    private static SlowMultipart slow(Mp3convServer server, String path, Map<String, String> before, String field,
                                      String filename, byte[] file, Map<String, String> after) throws IOException {
        return SlowMultipart.open(server.port(), ServerWithFakeAuth.ALICE_TOKEN, path, before, field, filename, file,
                after);
    }

    /** The job a multipart body created while it still arrives, found by its file name. */
    private static String awaitStreamingJob(Mp3convServer server, String filename) {
        return await("the job of " + filename).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 100).stream()
                        .filter(job -> filename.equals(job.filename())).findFirst(), java.util.Optional::isPresent)
                .orElseThrow().id();
    }






    /** The job's blobs (its upload, an MP3) and its unfinished upload, through the store's own interface. */
    private static long blobsOf(Mp3convServer server, String jobId, String fid) throws IOException {
        var blobs = server.backend().blobs();
        long finished = blobs.olderThan(Instant.now().plus(Duration.ofDays(1)), "", 10_000).stream()
                .filter(blob -> jobId.equals(blob.metadata().jobId())).count();
        try (InputStream growing = blobs.openGrowing(fid, 0)) {
            return finished + 1;
        } catch (NoSuchFileException e) {
            return finished;
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static HttpRequest multipart(Mp3convServer server, String path, Map<String, String> fields, String field,
                                         String filename, byte[] file) {
        byte[] body = SlowMultipart.body(fields, field, filename, file, Map.of());
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                .header("Content-Type", SlowMultipart.CONTENT_TYPE)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }



}
