package dev.mp3conv.server.cluster;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.model.Filters;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.SlowMultipart;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Converting while the upload arrives with the gateway and the converter in different processes (issue 24):
 * the packaged launcher's gateway+auth and a converter, on the real RabbitMQ, sharing a MongoDB-wire store
 * whose GridFS holds the upload. The converter follows the upload's chunks as the gateway stores them, the MP3
 * is ready once the last byte is in, and a terminated upload stops the converter's ffmpeg and leaves no chunk,
 * file or partial upload behind. A multipart body goes the same way: followed through GridFS while it arrives,
 * and a body cut mid-way stops the converter's ffmpeg and leaves nothing.
 */
class StreamingProcessIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PIECE = 256 * 1024;

    @TempDir
    Path tmp;
    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aConverterInAnotherProcessFollowsTheUploadThroughGridFsAndATerminatedOneLeavesNothing() throws Exception {
        Assumptions.assumeTrue(ProcessCluster.brokerListening(), "RabbitMQ on 127.0.0.1:5672");
        cluster = new ProcessCluster("streaming");
        ProcessCluster.Node gateway = cluster.start("gateway", "gateway,auth", Map.of());
        ProcessCluster.Node converter = cluster.start("converter", "converter",
                Map.of("CONVERTER_CONCURRENCY", "2", "CONVERTER_STREAM_IDLE", "60s"));
        cluster.awaitReady();
        String token = cluster.userToken("streaming@example.test");
        // 40 s, a few MB: several 1 MiB GridFS chunks, each readable by the converter once the gateway stored it
        byte[] video = Samples.talk(tmp, 40);
        assertThat(video.length).isGreaterThan(3 * 1024 * 1024);

        String upload = create(gateway, token, video.length, "talk.mkv");
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        long offset = patch(gateway, token, upload, video, 0, video.length / 2);
        Document claimed = await("claimed by the converter process").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> cluster.job(id),
                        job -> job.getString("lease_owner") != null
                                && job.get("stream", Document.class).get("progress") != null
                                && ((Number) job.get("stream", Document.class).get("progress")).doubleValue() > 0.2);
        assertThat(claimed.getString("state")).isEqualTo(JobState.UPLOADING.name());
        assertThat(claimed.getString("lease_owner")).startsWith("converter");
        patch(gateway, token, upload, video, offset, video.length);
        JobView done = await("done").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> new ClusterClient(gateway, token).job(id), job -> job.state().terminal());
        assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
        assertThat(done.streaming().mode()).isEqualTo(JobStreaming.STREAMING);
        assertThat(done.attempts()).isEqualTo(1);
        Path mp3 = tmp.resolve("talk.mp3");
        HttpResponse<Path> got = HTTP.send(HttpRequest.newBuilder(gateway.uri("/api/v1/jobs/" + id + "/mp3"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofFile(mp3));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(duration(mp3)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(converter.output()).contains("job " + id + ": converting while the upload arrives (matroska)");

        // terminated mid-way: the converter's ffmpeg stops, nothing of the upload or an MP3 stays in the store
        String gone = create(gateway, token, video.length, "gone.mkv");
        String goneId = gone.substring(gone.lastIndexOf('/') + 1);
        patch(gateway, token, gone, video, 0, video.length / 2);
        await("claimed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.job(goneId), job -> job.getString("lease_owner") != null);
        String fid = cluster.job(goneId).getString("video_fid");
        assertThat(send(gateway, token, "DELETE", gone, HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(204);
        await("ffmpeg of the converter process stopped").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> converter.process().toHandle().descendants()
                        .noneMatch(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)));
        await("nothing left").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.job(goneId) == null && cluster.mp3Blobs(goneId).isEmpty()
                        && cluster.count("fs.chunks", Filters.eq("files_id", fid)) == 0
                        && cluster.count("fs.uploads", Filters.eq("_id", fid)) == 0
                        && cluster.count("fs.files", Filters.eq("metadata.job_id", goneId)) == 0);
        assertThat(converter.output()).contains("job " + goneId + ": the upload was terminated or expired, conversion cancelled");
    }

    @Test
    void aMultipartBodyIsFollowedByAConverterInAnotherProcessAndACutOneLeavesNothing() throws Exception {
        Assumptions.assumeTrue(ProcessCluster.brokerListening(), "RabbitMQ on 127.0.0.1:5672");
        cluster = new ProcessCluster("streaming-multipart");
        ProcessCluster.Node gateway = cluster.start("gateway", "gateway,auth", Map.of());
        ProcessCluster.Node converter = cluster.start("converter", "converter",
                Map.of("CONVERTER_CONCURRENCY", "2", "CONVERTER_STREAM_IDLE", "60s"));
        cluster.awaitReady();
        String token = cluster.userToken("multipart@example.test");
        byte[] video = Samples.talk(tmp, 40);
        int port = gateway.uri("/").getPort();

        try (SlowMultipart body = SlowMultipart.open(port, token, "/api/v1/jobs", Map.of(), "file", "talk.mkv", video)) {
            body.sendFile(video.length / 2);
            Document claimed = await("claimed by the converter process").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> cluster.jobNamed("talk.mkv"),
                            job -> job != null && job.getString("lease_owner") != null
                                    && job.get("stream", Document.class).get("progress") != null
                                    && ((Number) job.get("stream", Document.class).get("progress")).doubleValue() > 0.2);
            assertThat(claimed.getString("state")).isEqualTo(JobState.UPLOADING.name());
            assertThat(claimed.getString("lease_owner")).startsWith("converter");
            String id = claimed.getObjectId("_id").toHexString();
            SlowMultipart.Answer answer = body.finish();
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            JobView done = await("done").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> new ClusterClient(gateway, token).job(id), job -> job.state().terminal());
            assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
            assertThat(done.streaming().mode()).isEqualTo(JobStreaming.STREAMING);
            assertThat(done.attempts()).isEqualTo(1);
            Path mp3 = tmp.resolve("multipart.mp3");
            HttpResponse<Path> got = HTTP.send(HttpRequest.newBuilder(gateway.uri("/api/v1/jobs/" + id + "/mp3"))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofFile(mp3));
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(duration(mp3)).isCloseTo(40.0, org.assertj.core.data.Offset.offset(0.2));
            assertThat(converter.output()).contains("job " + id + ": converting while the upload arrives (matroska)");
        }

        // the client goes away mid-body: the converter's ffmpeg stops, nothing stays in the store
        String goneId;
        String fid;
        try (SlowMultipart body = SlowMultipart.open(port, token, "/api/v1/jobs", Map.of(), "file", "gone.mkv", video)) {
            body.sendFile(video.length / 2);
            Document claimed = await("claimed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.jobNamed("gone.mkv"), job -> job != null && job.getString("lease_owner") != null);
            goneId = claimed.getObjectId("_id").toHexString();
            fid = claimed.getString("video_fid");
            body.cut();
        }
        await("ffmpeg of the converter process stopped").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> converter.process().toHandle().descendants()
                        .noneMatch(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)));
        await("nothing left").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.job(goneId) == null && cluster.mp3Blobs(goneId).isEmpty()
                        && cluster.count("fs.chunks", Filters.eq("files_id", fid)) == 0
                        && cluster.count("fs.uploads", Filters.eq("_id", fid)) == 0
                        && cluster.count("fs.files", Filters.eq("metadata.job_id", goneId)) == 0);
        assertThat(converter.output()).contains("job " + goneId + ": the upload was terminated or expired, conversion cancelled");
    }

    private static double duration(Path mp3) throws Exception {
        Process probe = new ProcessBuilder("/usr/bin/ffprobe", "-v", "error", "-show_entries", "format=duration",
                "-of", "csv=p=0", mp3.toString()).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Double.parseDouble(out);
    }

    private static String create(ProcessCluster.Node gateway, String token, long length, String filename)
            throws Exception {
        HttpResponse<String> res = send(gateway, token, "POST", "/api/v1/uploads", HttpRequest.BodyPublishers.noBody(),
                "Upload-Length", String.valueOf(length), "Upload-Metadata",
                "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8)));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return java.net.URI.create(res.headers().firstValue("Location").orElseThrow()).getPath();
    }

    private static long patch(ProcessCluster.Node gateway, String token, String upload, byte[] bytes, long from, long to)
            throws Exception {
        long offset = from;
        while (offset < to) {
            int n = (int) Math.min(PIECE, to - offset);
            HttpResponse<String> res = send(gateway, token, "PATCH", upload,
                    HttpRequest.BodyPublishers.ofByteArray(bytes, (int) offset, n),
                    "Content-Type", "application/offset+octet-stream", "Upload-Offset", String.valueOf(offset));
            assertThat(res.statusCode()).as(res.body()).isEqualTo(204);
            offset = Long.parseLong(res.headers().firstValue("Upload-Offset").orElseThrow());
        }
        return offset;
    }

    private static HttpResponse<String> send(ProcessCluster.Node gateway, String token, String method, String path,
                                             HttpRequest.BodyPublisher body, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.uri(path)).method(method, body)
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Tus-Resumable", "1.0.0");
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}
