package dev.mp3conv.server.converter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the streaming ITs (tus and multipart) ask of a server with fake auth, as alice. */
final class StreamingApi {
    private static final int PIECE = 64 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private StreamingApi() {
    }

    static HttpResponse<String> send(Mp3convServer server, String method, String path, HttpRequest.BodyPublisher body,
                                     String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN).header("Tus-Resumable", "1.0.0");
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates a tus upload; returns its path. */
    static String tusCreate(Mp3convServer server, long length, String filename) throws Exception {
        HttpResponse<String> res = send(server, "POST", "/api/v1/uploads", HttpRequest.BodyPublishers.noBody(),
                "Upload-Length", String.valueOf(length), "Upload-Metadata",
                "filename " + Base64.getEncoder().encodeToString(filename.getBytes(StandardCharsets.UTF_8)));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        return URI.create(res.headers().firstValue("Location").orElseThrow()).getPath();
    }

    /** PATCHes {@code bytes[from, to)} in 64 KiB pieces, as a client with small chunks does; returns the new offset. */
    static long patchInPieces(Mp3convServer server, String upload, byte[] bytes, long from, long to) throws Exception {
        long offset = from;
        while (offset < to) {
            int n = (int) Math.min(PIECE, to - offset);
            HttpResponse<String> res = send(server, "PATCH", upload,
                    HttpRequest.BodyPublishers.ofByteArray(bytes, (int) offset, n),
                    "Content-Type", "application/offset+octet-stream", "Upload-Offset", String.valueOf(offset));
            assertThat(res.statusCode()).as(res.body()).isEqualTo(204);
            offset = Long.parseLong(res.headers().firstValue("Upload-Offset").orElseThrow());
        }
        return offset;
    }

    static JobView job(Mp3convServer server, String id) throws Exception {
        HttpResponse<String> res = send(server, "GET", "/api/v1/jobs/" + id, HttpRequest.BodyPublishers.noBody());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    /** Waits until a converter holds the still uploading job. */
    static void awaitClaimed(Mp3convServer server, String id) {
        await("claimed for streaming").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> server.backend().jobs().find(id).orElseThrow(),
                        job -> job.state() == JobState.UPLOADING && job.leaseOwner() != null);
    }

    static JobView awaitFinished(Mp3convServer server, String id) {
        return await("job finished").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> job(server, id), j -> j.state().terminal());
    }

    /** The job's MP3 as ffprobe measures it, copied into {@code dir}. */
    static double mp3Seconds(Mp3convServer server, String id, Path dir) throws Exception {
        Job job = server.backend().jobs().find(id).orElseThrow();
        Path mp3 = Files.createTempFile(dir, "out-", ".mp3");
        try (var in = server.backend().blobs().open(job.mp3Fid())) {
            Files.copy(in, mp3, StandardCopyOption.REPLACE_EXISTING);
        }
        return MediaSamples.probe(mp3).path("format").path("duration").asDouble();
    }

    /** ffmpeg processes of this JVM (each test's server is the only one converting). */
    static long ffmpegRuns() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).count();
    }
}
