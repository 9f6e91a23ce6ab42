package dev.mp3conv.server.gateway;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Rejected and interrupted uploads leave neither a blob nor a job behind. */
class UploadLimitsIT {
    private static final int MAX = 1024 * 1024;

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private GatewayClient alice;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of("gateway.max-upload-size", "1m"));
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void exactlyTheLimitIsAccepted() throws Exception {
        assertThat(alice.uploadJob("max.mp4", GatewayClient.randomBytes(MAX, 1)).size()).isEqualTo(MAX);
    }

    @Test
    void oversizeUploadIs413AndLeavesNothing() throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "big.mp4", "video/mp4", GatewayClient.randomBytes(MAX + 1, 2)));

        assertThat(res.statusCode()).isEqualTo(413);
        assertProblem(res);
        assertNothingStored();
    }

    @Test
    void missingBoundaryIs400() throws Exception {
        HttpResponse<String> res = alice.post("/api/v1/jobs", "multipart/form-data",
                new GatewayClient.Multipart().file("file", "a.mp4", "video/mp4", new byte[100]).bytes());
        assertThat(res.statusCode()).isEqualTo(400);
        assertProblem(res);
        assertNothingStored();
    }

    @Test
    void notMultipartIs400() throws Exception {
        HttpResponse<String> res = alice.post("/api/v1/jobs", "application/octet-stream", new byte[100]);
        assertThat(res.statusCode()).isEqualTo(400);
        assertNothingStored();
    }

    @Test
    void truncatedBodyIs400AndLeavesNothing() throws Exception {
        byte[] body = new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(300_000, 3)).unterminated().bytes();
        byte[] cut = Arrays.copyOf(body, body.length - 1000);
        HttpResponse<String> res = alice.post("/api/v1/jobs", "multipart/form-data; boundary=" + GatewayClient.BOUNDARY, cut);

        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.body()).contains("malformed multipart");
        assertNothingStored();
    }

    @Test
    void twoFilesAre400AndTheFirstIsDeleted() throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(200_000, 4))
                .file("file", "b.mp4", "video/mp4", GatewayClient.randomBytes(200_000, 5)));

        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readValue(res.body(), Problem.class).detail()).isEqualTo("exactly 1 file required");
        assertNothingStored();
    }

    @Test
    void noFileIs400() throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart().field("bitrate", "192k"));
        assertThat(res.statusCode()).isEqualTo(400);
        HttpResponse<String> wrongField = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("video", "a.mp4", "video/mp4", new byte[10]));
        assertThat(wrongField.statusCode()).isEqualTo(400);
        assertNothingStored();
    }

    @Test
    void oversizePartHeadersAre400() throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "a".repeat(2100) + ".mp4", "video/mp4", new byte[10]));
        assertThat(res.statusCode()).isEqualTo(400);
        assertNothingStored();
    }

    @Test
    void clientDisconnectMidUploadLeavesNoBlobAndNoJob() throws Exception {
        byte[] body = new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(900_000, 6)).bytes();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + ServerWithFakeAuth.ALICE_TOKEN + "\r\nContent-Type: multipart/form-data; boundary="
                    + GatewayClient.BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            // the write into the store has begun: a partial blob exists
            await().atMost(Duration.ofSeconds(30)).until(() -> !StoredFiles.partial(dataDir).isEmpty());
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StoredFiles.partial(dataDir)).isEmpty());
        assertNothingStored();
    }

    @Test
    void aRejectedLargeUploadClosesTheConnectionSoItsRestIsNeverTakenAsARequest() throws Exception {
        // over 8 MiB declared: not read on after the answer (a smaller refused body is, see HttpDetailsIT)
        byte[] body = new GatewayClient.Multipart()
                .file("file", "big.mp4", "video/mp4", GatewayClient.randomBytes(9 * MAX, 8)).bytes();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + ServerWithFakeAuth.ALICE_TOKEN + "\r\nContent-Type: multipart/form-data; boundary="
                            + GatewayClient.BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (java.io.IOException e) {
                    // the server may close while the rest is still being sent: that is the point
                }
            });
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            writer.join();
            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
            assertThat(answer).as("the problem names the full request path").contains("\"instance\":\"/api/v1/jobs\"");
            // readAllBytes returned: the server closed the connection. Helidon 4.5 may still answer the
            // leftover bytes once (400) before closing; they must never be taken as a request that works
            assertThat(answer.substring(1)).as("answers to leftover bytes in:%n%s", answer)
                    .doesNotContain("HTTP/1.1 2").doesNotContain("HTTP/1.1 1");
        }
        assertNothingStored();
    }

    @Test
    void anUploadAfterRejectionsStillWorks() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 401");
        }
        assertThat(alice.uploadJob("a.mp4", new byte[] {1, 2, 3}).size()).isEqualTo(3);
    }

    private static void assertProblem(HttpResponse<String> res) {
        assertThat(res.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    private void assertNothingStored() {
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
        assertThat(StoredFiles.partial(dataDir)).isEmpty();
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).isEmpty();
    }
}
