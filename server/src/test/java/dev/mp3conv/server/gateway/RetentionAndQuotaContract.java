package dev.mp3conv.server.gateway;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention and quotas through the real HTTP API, with seconds-scale settings and the real sweeper; each
 * blob store's IT extends this and says how to start a server on it (again, after a restart).
 */
abstract class RetentionAndQuotaContract {
    static final int QUOTA = 1024 * 1024;
    private static final String ALICE = ServerWithFakeAuth.ALICE.userId();

    @TempDir
    Path dataDir;

    Mp3convServer server;
    GatewayClient alice;

    /** Store settings of this implementation (GridFS: {@code mongodb.uri}). */
    abstract Map<String, String> storeSettings();

    /** Whether any blob or partial write is left in the store. */
    abstract boolean anythingStored();

    void start(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(storeSettings());
        all.put("quota.user", String.valueOf(QUOTA));
        all.put("gateway.max-upload-size", "4m");
        all.put("sweeper.interval", "200ms");
        all.putAll(settings);
        server = ServerWithFakeAuth.start(dataDir, all);
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    @BeforeEach
    void startDefault() {
        start(Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    long used() {
        return server.backend().quota().usage(ALICE, false).used();
    }

    @Test
    void anUploadWhoseDeclaredSizePassesTheQuotaIs413BeforeAnyByteIsStored() throws Exception {
        JobView first = alice.uploadJob("a.mp4", GatewayClient.randomBytes(600_000, 1));
        assertThat(used()).isEqualTo(first.size());

        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "b.mp4", "video/mp4", GatewayClient.randomBytes(600_000, 2)));
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(res.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
        assertThat(Json.mapper().readValue(res.body(), Problem.class).detail())
                .contains("storage quota exceeded: 600000 of " + QUOTA + " bytes are in use");
        assertThat(used()).as("the refused upload holds nothing").isEqualTo(600_000);
        assertThat(server.backend().jobs().list(ALICE, null, 10)).hasSize(1);

        // deleting frees the room again
        assertThat(alice.delete("/api/v1/jobs/" + first.id()).statusCode()).isEqualTo(204);
        assertThat(used()).isZero();
        assertThat(anythingStored()).isFalse();
        assertThat(alice.uploadJob("b.mp4", GatewayClient.randomBytes(600_000, 2)).size()).isEqualTo(600_000);
    }

    @Test
    void anUploadOfUnknownSizeIsCutWhenItCrossesTheQuotaAndLeavesNothing() throws Exception {
        byte[] body = new GatewayClient.Multipart()
                .file("file", "big.mp4", "video/mp4", GatewayClient.randomBytes(QUOTA + 300_000, 3)).bytes();
        String answer = sendChunked(body);
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(answer).contains("storage quota exceeded");
        await().atMost(Duration.ofSeconds(30)).until(() -> !anythingStored());
        assertThat(used()).isZero();
        assertThat(server.backend().jobs().list(ALICE, null, 10)).isEmpty();

        byte[] fits = GatewayClient.randomBytes(QUOTA - 1000, 4);
        String ok = sendChunked(new GatewayClient.Multipart().file("file", "fits.mp4", "video/mp4", fits).bytes());
        assertThat(ok).as("a chunked upload that fits is taken").startsWith("HTTP/1.1 202");
        assertThat(used()).as("counted at its real size").isEqualTo(fits.length);
    }

    @Test
    void ofTwoConcurrentUploadsThatFitAloneButNotTogetherTheSecondIsRefused() throws Exception {
        byte[] body = new GatewayClient.Multipart()
                .file("file", "one.mp4", "video/mp4", GatewayClient.randomBytes(700_000, 5)).bytes();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head("Content-Length: " + body.length));
            out.write(body, 0, body.length / 2);
            out.flush();
            // the first holds its declared size while it is still arriving
            await().atMost(Duration.ofSeconds(30)).until(() -> used() == body.length);

            HttpResponse<String> second = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                    .file("file", "two.mp4", "video/mp4", GatewayClient.randomBytes(700_000, 6)));
            assertThat(second.statusCode()).isEqualTo(413);

            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            assertThat(RawHttp.readResponse(socket.getInputStream())).startsWith("HTTP/1.1 202");
        }
        assertThat(server.backend().jobs().list(ALICE, null, 10)).hasSize(1)
                .allSatisfy(job -> assertThat(job.filename()).isEqualTo("one.mp4"));
        assertThat(used()).as("the envelope reserved with the body is given back").isEqualTo(700_000);
    }

    @Test
    void theVideoGoesAfterRetainVideosAndTheMp3ExpiresTo410AndStaysGoneAfterARestart() throws Exception {
        server.close();
        start(Map.of("retention.videos", "1s", "retention.mp3s", "4s"));
        JobView job = alice.uploadJob("talk.mp4", GatewayClient.randomBytes(10_000, 7));
        new FakeConverter(server.backend()).convert(job.id(), GatewayClient.randomBytes(3_000, 8));
        JobView done = Json.mapper().readValue(alice.getText("/api/v1/jobs/" + job.id()).body(), JobView.class);
        assertThat(done.videoExpiresAt()).isEqualTo(done.updatedAt().plusSeconds(1));
        assertThat(done.expiresAt()).isEqualTo(done.updatedAt().plusSeconds(4));
        assertThat(used()).isEqualTo(13_000);

        await().atMost(Duration.ofSeconds(30)).until(() -> server.backend().blobs().info(job.videoFid()).isEmpty());
        assertThat(used()).isEqualTo(3_000);

        await().atMost(Duration.ofSeconds(30)).until(() -> alice.get("/api/v1/jobs/" + job.id() + "/mp3").statusCode() == 410);
        HttpResponse<String> gone = alice.getText("/api/v1/jobs/" + job.id() + "/mp3");
        assertThat(gone.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
        assertThat(Json.mapper().readValue(gone.body(), Problem.class).detail())
                .isEqualTo("job " + job.id() + " expired at " + done.expiresAt() + ": its MP3 (talk.mp4) was deleted");
        assertThat(alice.getText("/download?fid=" + done.mp3Fid()).statusCode()).isEqualTo(410);
        assertThat(alice.getText("/api/v1/jobs/" + job.id()).statusCode()).isEqualTo(410);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.backend().blobs().info(done.mp3Fid()).isEmpty());
        assertThat(Json.mapper().readValue(alice.getText("/api/v1/jobs").body(), JobPage.class).items()).isEmpty();
        assertThat(used()).isZero();
        assertThat(anythingStored()).isFalse();

        server.close();
        start(Map.of("retention.videos", "1s", "retention.mp3s", "4s"));
        assertThat(server.backend().blobs().info(job.videoFid())).isEmpty();
        assertThat(server.backend().blobs().info(done.mp3Fid())).isEmpty();
        assertThat(alice.getText("/download?fid=" + done.mp3Fid()).statusCode()).isEqualTo(410);
        assertThat(used()).isZero();
    }

    @Test
    void keepAsksForLessNeverMoreAndAMalformedKeepIs400LeavingNothing() throws Exception {
        HttpResponse<String> shorter = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("keep", "1h").file("file", "a.mp4", "video/mp4", new byte[100]));
        HttpResponse<String> longer = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "b.mp4", "video/mp4", new byte[100]).field("keep", "365d"));
        assertThat(shorter.statusCode()).isEqualTo(202);
        assertThat(longer.statusCode()).isEqualTo(202);
        FakeConverter converter = new FakeConverter(server.backend());
        var a = converter.convert(Json.mapper().readValue(shorter.body(), JobView.class).id(), new byte[10]);
        var b = converter.convert(Json.mapper().readValue(longer.body(), JobView.class).id(), new byte[10]);
        assertThat(a.expiresAt()).isEqualTo(a.updatedAt().plus(Duration.ofHours(1)));
        assertThat(a.videoExpiresAt()).isEqualTo(a.updatedAt().plus(Duration.ofHours(1)));
        assertThat(b.expiresAt()).as("the server's 7 days at most").isEqualTo(b.updatedAt().plus(Duration.ofDays(7)));
        assertThat(b.videoExpiresAt()).isEqualTo(b.updatedAt().plus(Duration.ofHours(24)));
        long before = used();

        HttpResponse<String> bad = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "c.mp4", "video/mp4", new byte[100]).field("keep", "forever"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readValue(bad.body(), Problem.class).detail()).startsWith("keep must be");
        assertThat(used()).isEqualTo(before);
        assertThat(server.backend().jobs().list(ALICE, null, 10)).hasSize(2);
    }

    @Test
    void theCountIsPutRightFromTheJobsCollection() throws Exception {
        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(50_000, 9));
        new FakeConverter(server.backend()).convert(job.id(), new byte[5_000]);
        assertThat(used()).isEqualTo(55_000);
        // a process died between writes: a stray reservation and a wrong count
        server.backend().quota().reserve(ALICE, false, 400_000);
        server.backend().quota().begin(ALICE).commit(123);
        assertThat(used()).isEqualTo(455_123);

        // after a restart: at once with the embedded store (this process owns it), with a shared MongoDB once
        // the stray reservation is older than retention.orphans (its process may be another gateway's)
        server.close();
        start(Map.of("retention.orphans", "2s"));
        await().atMost(Duration.ofSeconds(30)).until(() -> used() == 55_000);
        assertThat(server.backend().blobs().info(job.videoFid())).as("held blobs are no orphans").isPresent();
        assertThat(server.backend().quota().usage(ALICE, false)).isEqualTo(new StorageQuota.Usage(55_000, QUOTA));
    }

    private byte[] head(String lengthHeader) {
        return ("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ServerWithFakeAuth.ALICE_TOKEN
                + "\r\nContent-Type: multipart/form-data; boundary=" + GatewayClient.BOUNDARY + "\r\n" + lengthHeader
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends a body with {@code Transfer-Encoding: chunked} (no declared size) and returns the answer. */
    private String sendChunked(byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(head("Transfer-Encoding: chunked"));
                    for (int off = 0; off < body.length; off += 64 * 1024) {
                        int n = Math.min(64 * 1024, body.length - off);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, off, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (java.io.IOException e) {
                    // the server may close while the rest is still being sent: a cut upload
                }
            });
            String answer = RawHttp.readResponse(socket.getInputStream());
            writer.join();
            return answer;
        }
    }
}
