package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.testing.RawHttp;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that hold the public listener: too slow to send their headers, stalling mid-upload, or
 * simply too many. Each is cut or kept waiting by the server's limits, and the API answers again
 * once they are gone.
 */
class HostileConnectionsIT {
    private static final byte[] HEAD = ("GET /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + ServerWithFakeAuth.ALICE_TOKEN + "\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dataDir;

    private Mp3convServer server;

    private void start(Map<String, String> settings) {
        server = ServerWithFakeAuth.start(dataDir, settings);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void headersTrickledPastTheLimitAreCutWhileTheApiAnswers() throws Exception {
        start(Map.of("server.header-timeout", "1s"));
        double cutBefore = cutCount("headers");
        long began = System.nanoTime();
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(20_000);
            OutputStream out = slow.getOutputStream();
            out.write(HEAD);
            // one header line every 200 ms: never idle, never complete
            boolean cut = false;
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    out.write(("X-Slow-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(apiStatus()).as("the API answers others meanwhile").isEqualTo(200);
                    Thread.sleep(200);
                } catch (SocketException e) {
                    cut = true;
                }
            }
            assertThat(cut || slow.getInputStream().read() == -1).as("cut by the server").isTrue();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertThat(took).as("cut soon after the 1 s limit, not after 20 s of trickling").isLessThan(Duration.ofSeconds(8));
        assertThat(cutCount("headers") - cutBefore).isEqualTo(1);
    }

    @Test
    void aSilentConnectionAndATrickledRequestLineAreClosed() throws Exception {
        start(Map.of("server.header-timeout", "1s"));
        try (Socket silent = new Socket("127.0.0.1", server.port());
             Socket line = new Socket("127.0.0.1", server.port())) {
            silent.setSoTimeout(15_000);
            line.setSoTimeout(15_000);
            line.getOutputStream().write("GET /api/v1/jo".getBytes(StandardCharsets.US_ASCII));
            long began = System.nanoTime();
            assertClosedByServer(silent);
            assertClosedByServer(line);
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(apiStatus()).isEqualTo(200);
    }

    @Test
    void aStalledUploadIsCutAndLeavesNoBlobAndNoJob() throws Exception {
        start(Map.of("server.body-idle-timeout", "1s", "gateway.max-upload-size", "4m"));
        byte[] body = new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(2_000_000, 11)).bytes();
        double cutBefore = cutCount("body");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead(body.length));
            out.write(body, 0, body.length / 2);
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> !StoredFiles.partial(dataDir).isEmpty());
            // then nothing more: the server cuts the connection after the 1 s stall
            long began = System.nanoTime();
            assertClosedByServer(socket);
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StoredFiles.partial(dataDir)).isEmpty());
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).isEmpty();
        assertThat(cutCount("body") - cutBefore).isEqualTo(1);
    }

    @Test
    void aSlowButSteadyUploadLongerThanTheLimitIsAccepted() throws Exception {
        start(Map.of("server.body-idle-timeout", "1s", "server.header-timeout", "1s"));
        byte[] body = new GatewayClient.Multipart()
                .file("file", "steady.mp4", "video/mp4", GatewayClient.randomBytes(100_000, 12)).bytes();
        double cutBefore = cutCount("body");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead(body.length));
            // ten pieces 300 ms apart: 3 s in all, never 1 s without a byte
            int piece = body.length / 10 + 1;
            for (int offset = 0; offset < body.length; offset += piece) {
                out.write(body, offset, Math.min(piece, body.length - offset));
                out.flush();
                Thread.sleep(300);
            }
            assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 202");
        }
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).hasSize(1);
        assertThat(cutCount("body") - cutBefore).isZero();
    }

    @Test
    void atTheConnectionCapTheClientWaitingLongestForItsHeadersMakesRoom() throws Exception {
        start(Map.of("server.max-connections", "20"));
        double evictedBefore = shedCount("evicted");
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoTimeout(15_000);
                idle.add(socket);
            }
            long asked = System.nanoTime();
            assertThat(apiStatus()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("answered at once, not after the idle ones time out")
                    .isLessThan(Duration.ofSeconds(5));
            assertClosedByServer(idle.getFirst());
            assertThat(shedCount("evicted") - evictedBefore).isGreaterThanOrEqualTo(1);
            // health, on the admin socket, is not affected by the public limit
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.adminPort() + "/observe/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void keptAliveConnectionsIdleAfterTheirAnswerMakeRoomToo() throws Exception {
        start(Map.of("server.max-connections", "10"));
        double evictedBefore = shedCount("evicted");
        List<Socket> kept = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(HEAD);
                socket.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
                // answered, and the connection stays open for a next request (HTTP/1.1 keep-alive)
                assertThat(RawHttp.readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
                kept.add(socket);
            }
            long asked = System.nanoTime();
            assertThat(apiStatus()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
            assertThat(shedCount("evicted") - evictedBefore).isGreaterThanOrEqualTo(1);
            assertClosedByServer(kept.getFirst());
        } finally {
            for (Socket socket : kept) {
                socket.close();
            }
        }
    }

    @Test
    void atTheCapWithEveryConnectionBusyTheNewOneIsRefusedUntilOneEnds() throws Exception {
        start(Map.of("server.max-connections", "3", "gateway.max-upload-size", "4m"));
        double refusedBefore = shedCount("refused");
        byte[] body = new GatewayClient.Multipart()
                .file("file", "busy.mp4", "video/mp4", GatewayClient.randomBytes(1_000_000, 13)).bytes();
        List<Socket> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.getOutputStream().write(uploadHead(body.length));
                socket.getOutputStream().write(body, 0, body.length / 2);
                socket.getOutputStream().flush();
                uploads.add(socket);
            }
            // all three are inside their bodies: nothing waits for headers, nothing can make room
            await().atMost(Duration.ofSeconds(30)).until(() -> StoredFiles.partial(dataDir).size() == 3);
            try (Socket extra = new Socket("127.0.0.1", server.port())) {
                extra.setSoTimeout(15_000);
                try {
                    extra.getOutputStream().write(HEAD);
                    extra.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (SocketException e) {
                    // closed before the request was even written: refused as well
                }
                assertClosedByServer(extra);
            }
            assertThat(shedCount("refused") - refusedBefore).isEqualTo(1);
        } finally {
            for (Socket socket : uploads) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> apiStatus() == 200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StoredFiles.partial(dataDir)).isEmpty());
    }

    private static void assertClosedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            byte[] answer = in.readAllBytes();
            assertThat(new String(answer, StandardCharsets.US_ASCII)).as("no request was served").doesNotContain("HTTP/1.1 2");
        } catch (SocketException e) {
            // reset by the server: closed as well
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }

    private byte[] uploadHead(int length) {
        return ("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ServerWithFakeAuth.ALICE_TOKEN
                + "\r\nContent-Type: multipart/form-data; boundary=" + GatewayClient.BOUNDARY
                + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private URI jobsUri() {
        return URI.create("http://127.0.0.1:" + server.port() + "/api/v1/jobs");
    }

    private int apiStatus() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(jobsUri()).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private double shedCount(String outcome) {
        return server.backend().meters().getOrCreate(Counter.builder("mp3conv.http.connections.shed")
                .tags(List.of(Tag.create("outcome", outcome)))).count();
    }

    private double cutCount(String phase) {
        return server.backend().meters().getOrCreate(Counter.builder("mp3conv.http.deadline.closed")
                .tags(List.of(Tag.create("phase", phase)))).count();
    }
}
