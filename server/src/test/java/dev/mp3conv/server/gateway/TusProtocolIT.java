package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tus 1.0.0 endpoint through raw requests: every status code it answers, the durable offset across a
 * client dying mid-PATCH and a server restart, locking, expiry, termination, another user's URL.
 */
class TusProtocolIT {
    private static final String TUS = "Tus-Resumable";

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private TusHttp alice;
    private TusHttp bob;

    private void start(Map<String, String> overrides) {
        server = ServerWithFakeAuth.start(dataDir, overrides);
        alice = new TusHttp(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        bob = new TusHttp(server.port(), ServerWithFakeAuth.BOB_TOKEN);
    }

    private void start() {
        start(Map.of());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void optionsDescribesTheServerWithoutAToken() throws Exception {
        start(Map.of("gateway.max-upload-size", "10m"));
        HttpResponse<String> res = new TusHttp(server.port(), null).options("/api/v1/uploads");
        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.headers().firstValue("Tus-Version")).contains("1.0.0");
        assertThat(res.headers().firstValue(TUS)).contains("1.0.0");
        assertThat(res.headers().firstValue("Tus-Extension"))
                .contains("creation,creation-with-upload,termination,expiration,checksum");
        assertThat(res.headers().firstValue("Tus-Max-Size")).contains(String.valueOf(10L << 20));
        assertThat(res.headers().firstValue("Tus-Checksum-Algorithm")).contains("sha1,sha256");
    }

    @Test
    void chunksBecomeAQueuedJobOnceWithTheExactBytes() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(2_500_000, 1);
        HttpResponse<String> created = alice.create(video.length, "filename", "talk.mp4", "filetype", "video/mp4",
                "bitrate", "256k");
        assertThat(created.statusCode()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("/api/v1/uploads/[0-9a-f]{24}");
        assertThat(created.headers().firstValue("Upload-Expires")).isPresent();
        String id = location.substring(location.lastIndexOf('/') + 1);

        JobView uploading = job(id);
        assertThat(uploading.state()).isEqualTo(JobState.UPLOADING);
        assertThat(uploading.size()).isEqualTo(video.length);

        HttpResponse<String> first = alice.patch(location, 0, Arrays.copyOf(video, 1_000_000));
        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(first.headers().firstValue("Upload-Offset")).contains("1000000");
        assertThat(first.headers().firstValue(TUS)).contains("1.0.0");
        assertThat(job(id).progress()).isEqualTo(0.4);
        HttpResponse<String> head = alice.head(location);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Upload-Offset")).contains("1000000");
        assertThat(head.headers().firstValue("Upload-Length")).contains(String.valueOf(video.length));
        assertThat(head.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(server.backend().jobs().find(id).orElseThrow().videoPublishedAt()).isNull();

        HttpResponse<String> last = alice.patch(location, 1_000_000, Arrays.copyOfRange(video, 1_000_000, video.length));
        assertThat(last.statusCode()).isEqualTo(204);
        assertThat(last.headers().firstValue("Upload-Offset")).contains(String.valueOf(video.length));

        JobView queued = job(id);
        assertThat(queued.state()).isEqualTo(JobState.QUEUED);
        assertThat(queued.sha256()).isEqualTo(GatewayClient.sha256(video));
        assertThat(queued.filename()).isEqualTo("talk.mp4");
        assertThat(queued.contentType()).isEqualTo("video/mp4");
        assertThat(queued.bitrate()).isEqualTo("256k");
        Job stored = server.backend().jobs().find(id).orElseThrow();
        assertThat(stored.videoPublishedAt()).as("published once the last byte arrived").isNotNull();
        try (InputStream in = server.backend().blobs().open(stored.videoFid())) {
            assertThat(in.readAllBytes()).isEqualTo(video);
        }
        // a repeated last PATCH (its answer was lost) neither fails nor queues again
        assertThat(alice.patch(location, video.length, new byte[0]).statusCode()).isEqualTo(204);
        assertThat(alice.patch(location, 0, new byte[1]).statusCode()).isEqualTo(409);
        assertThat(server.backend().jobs().find(id).orElseThrow().videoPublishedAt())
                .isEqualTo(stored.videoPublishedAt());
        assertThat(alice.offset(location)).isEqualTo(video.length);
    }

    @Test
    void creationWithUploadStoresTheFirstChunk() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(300_000, 2);
        HttpResponse<String> res = alice.send("POST", "/api/v1/uploads",
                java.net.http.HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(video, 100_000)),
                TUS, "1.0.0", "Upload-Length", String.valueOf(video.length),
                "Upload-Metadata", TusHttp.metadata("filename", "a.mkv"),
                "Content-Type", "application/offset+octet-stream");
        assertThat(res.statusCode()).isEqualTo(201);
        assertThat(res.headers().firstValue("Upload-Offset")).contains("100000");
        String location = res.headers().firstValue("Location").orElseThrow();
        assertThat(alice.offset(location)).isEqualTo(100_000);
        assertThat(alice.patch(location, 100_000, Arrays.copyOfRange(video, 100_000, video.length)).statusCode())
                .isEqualTo(204);
        assertThat(stored(location)).isEqualTo(video);
    }

    @Test
    void protocolErrorsHaveTheirStatusCodes() throws Exception {
        start(Map.of("gateway.max-upload-size", "1m"));
        String location = alice.created(1000);
        // version
        HttpResponse<String> noVersion = alice.send("HEAD", location, java.net.http.HttpRequest.BodyPublishers.noBody());
        assertThat(noVersion.statusCode()).isEqualTo(412);
        assertThat(noVersion.headers().firstValue("Tus-Version")).contains("1.0.0");
        assertThat(alice.send("HEAD", location, java.net.http.HttpRequest.BodyPublishers.noBody(), TUS, "0.2.2")
                .statusCode()).isEqualTo(412);
        // creation
        assertThat(alice.create((1L << 20) + 1).statusCode()).isEqualTo(413);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0").statusCode()).isEqualTo(400);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "Upload-Length", "-5").statusCode()).isEqualTo(400);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "Upload-Defer-Length", "1").statusCode()).isEqualTo(400);
        // PATCH
        assertThat(alice.patch(location, 5, new byte[10]).statusCode()).as("offset mismatch").isEqualTo(409);
        assertThat(alice.patch(location, 0, new byte[1001]).statusCode()).as("past Upload-Length").isEqualTo(413);
        assertThat(alice.send("PATCH", location, java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[10]),
                TUS, "1.0.0", "Upload-Offset", "0", "Content-Type", "application/octet-stream").statusCode())
                .isEqualTo(415);
        assertThat(alice.send("PATCH", location, java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[10]),
                TUS, "1.0.0", "Content-Type", "application/offset+octet-stream").statusCode()).isEqualTo(400);
        assertThat(alice.patch(location, 0, new byte[10], "Upload-Checksum", "md5 AAAA").statusCode()).isEqualTo(400);
        assertThat(alice.offset(location)).as("nothing stored by refused requests").isZero();
        // auth
        HttpResponse<String> anonymous = new TusHttp(server.port(), null).head(location);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue(TUS)).contains("1.0.0");
        assertThat(new TusHttp(server.port(), "forged").create(10).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherUsersUploadIsAsUnknownAsAMissingOne() throws Exception {
        start();
        String location = alice.created(100);
        assertThat(bob.head(location).statusCode()).isEqualTo(404);
        assertThat(bob.patch(location, 0, new byte[100]).statusCode()).isEqualTo(404);
        assertThat(bob.delete(location).statusCode()).isEqualTo(404);
        assertThat(alice.head("/api/v1/uploads/0123456789abcdef01234567").statusCode()).isEqualTo(404);
        assertThat(alice.head("/api/v1/uploads/not-an-id").statusCode()).isEqualTo(404);
        assertThat(alice.offset(location)).isZero();
        // a multipart job is not a resumable upload
        JobView multipart = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN).uploadJob("a.mp4", new byte[10]);
        assertThat(alice.head("/api/v1/uploads/" + multipart.id()).statusCode()).isEqualTo(404);
    }

    @Test
    void checksumsAreVerifiedAndAMismatchKeepsNothing() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(200_000, 3);
        String location = alice.created(video.length);
        byte[] first = Arrays.copyOf(video, 120_000);
        HttpResponse<String> good = alice.patch(location, 0, first, "Upload-Checksum", "sha1 " + digest("SHA-1", first));
        assertThat(good.statusCode()).isEqualTo(204);
        byte[] rest = Arrays.copyOfRange(video, 120_000, video.length);
        byte[] corrupted = rest.clone();
        corrupted[500] ^= 1;
        HttpResponse<String> bad = alice.patch(location, 120_000, corrupted,
                "Upload-Checksum", "sha256 " + digest("SHA-256", rest));
        assertThat(bad.statusCode()).isEqualTo(460);
        assertThat(bad.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(alice.offset(location)).isEqualTo(120_000);
        assertThat(alice.patch(location, 120_000, rest, "Upload-Checksum", "sha256 " + digest("SHA-256", rest))
                .statusCode()).isEqualTo(204);
        assertThat(stored(location)).isEqualTo(video);
    }

    @Test
    void terminationDeletesTheUploadAndItsBytes() throws Exception {
        start();
        String location = alice.created(1000);
        alice.patch(location, 0, new byte[400]);
        String fid = server.backend().jobs().find(id(location)).orElseThrow().videoFid();
        assertThat(alice.delete(location).statusCode()).isEqualTo(204);
        assertThat(alice.head(location).statusCode()).isEqualTo(404);
        assertThat(alice.patch(location, 400, new byte[600]).statusCode()).isEqualTo(404);
        assertThat(server.backend().blobs().deleteResumable(fid)).as("its bytes are gone").isFalse();
        assertThat(alice.delete(location).statusCode()).isEqualTo(404);
    }

    @Test
    void theEventStreamFollowsTheUploadThenTheJob() throws Exception {
        start();
        String location = alice.created(1000);
        java.net.http.HttpRequest request = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN)
                .request("/api/v1/jobs/" + id(location) + "/events").GET().build();
        java.util.Iterator<String> lines = java.net.http.HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofLines()).body().iterator();
        assertThat(nextEvent(lines)).isEqualTo(new dev.mp3conv.model.JobEvent(id(location), JobState.UPLOADING, 0.0, null));
        assertThat(alice.patch(location, 0, new byte[400]).statusCode()).isEqualTo(204);
        dev.mp3conv.model.JobEvent uploaded = nextEvent(lines);
        assertThat(uploaded.state()).isEqualTo(JobState.UPLOADING);
        assertThat(uploaded.progress()).isEqualTo(0.4);
        assertThat(alice.patch(location, 400, new byte[600]).statusCode()).isEqualTo(204);
        dev.mp3conv.model.JobEvent next = nextEvent(lines);
        while (next.state() == JobState.UPLOADING) {
            next = nextEvent(lines);
        }
        assertThat(next.state()).as("the last byte queued it").isIn(JobState.QUEUED, JobState.CONVERTING, JobState.FAILED);
    }

    private static dev.mp3conv.model.JobEvent nextEvent(java.util.Iterator<String> lines) throws IOException {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data:")) {
                return Json.mapper().readValue(line.substring(5).trim(), dev.mp3conv.model.JobEvent.class);
            }
        }
        throw new AssertionError("the event stream ended");
    }

    @Test
    void unfinishedUploadsCountAgainstTheStorageQuotaFromTheirCreation() throws Exception {
        start(Map.of("quota.user", "1000"));
        String owner = ServerWithFakeAuth.ALICE.userId();
        HttpResponse<String> tooLarge = alice.create(1001);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("quota");
        assertThat(server.backend().jobs().list(owner, null, 10)).as("nothing stored").isEmpty();

        String first = alice.created(600);
        assertThat(server.backend().quota().usage(owner, false).used()).as("declared length counted at once").isEqualTo(600);
        HttpResponse<String> together = alice.create(500);
        assertThat(together.statusCode()).as("600 + 500 pass the 1000 quota").isEqualTo(413);
        assertThat(server.backend().jobs().list(owner, null, 10)).hasSize(1);

        assertThat(alice.delete(first).statusCode()).isEqualTo(204);
        assertThat(server.backend().quota().usage(owner, false).used()).as("termination gives it back").isZero();
        assertThat(alice.create(500).statusCode()).isEqualTo(201);
    }

    @Test
    void deletingTheJobOfAnUnfinishedUploadDeletesItsBytes() throws Exception {
        start();
        String location = alice.created(1000);
        alice.patch(location, 0, new byte[400]);
        String fid = server.backend().jobs().find(id(location)).orElseThrow().videoFid();
        HttpResponse<String> deleted = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN)
                .delete("/api/v1/jobs/" + id(location));
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(alice.head(location).statusCode()).isEqualTo(404);
        assertThat(server.backend().blobs().deleteResumable(fid)).as("its bytes are gone").isFalse();
    }

    @Test
    void anEmptyUploadIsQueuedAtCreation() throws Exception {
        start();
        String location = alice.created(0);
        assertThat(job(id(location)).state()).isEqualTo(JobState.QUEUED);
        assertThat(job(id(location)).sha256()).isEqualTo(GatewayClient.sha256(new byte[0]));
        assertThat(alice.offset(location)).isZero();
    }

    @Test
    void unfinishedUploadsExpireAndTheSweeperDeletesThem() throws Exception {
        start(Map.of("gateway.uploads.expiry", "1s", "sweeper.interval", "200ms"));
        String location = alice.created(1000);
        HttpResponse<String> patched = alice.patch(location, 0, new byte[10]);
        assertThat(patched.headers().firstValue("Upload-Expires")).isPresent();
        String fid = server.backend().jobs().find(id(location)).orElseThrow().videoFid();
        await().atMost(Duration.ofSeconds(20)).until(() -> alice.head(location).statusCode() == 404);
        assertThat(server.backend().jobs().find(id(location))).isEmpty();
        assertThat(server.backend().blobs().deleteResumable(fid)).as("its bytes are gone").isFalse();
    }

    @Test
    void anExpiredUploadIsGoneBeforeTheSweeperDeletesIt() throws Exception {
        start(Map.of("gateway.uploads.expiry", "1s", "sweeper.interval", "1h"));
        String location = alice.created(1000);
        await().atMost(Duration.ofSeconds(20)).until(() -> alice.head(location).statusCode() == 410);
        assertThat(alice.patch(location, 0, new byte[10]).statusCode()).isEqualTo(410);
        var expiry = new dev.mp3conv.server.jobs.UploadExpiry(new dev.mp3conv.server.jobs.UploadRepository(
                server.backend().mongo(), java.time.Clock.systemUTC()), server.backend().blobs());
        assertThat(expiry.deleteExpired(java.time.Instant.now())).isEqualTo(1);
        assertThat(alice.head(location).statusCode()).isEqualTo(404);
    }

    @Test
    void methodOverrideServesClientsWithoutPatch() throws Exception {
        start();
        String location = alice.created(10);
        HttpResponse<String> patched = alice.send("POST", location, java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                new byte[4]), TUS, "1.0.0", "X-HTTP-Method-Override", "PATCH", "Upload-Offset", "0",
                "Content-Type", "application/offset+octet-stream");
        assertThat(patched.statusCode()).isEqualTo(204);
        HttpResponse<String> head = alice.send("POST", location, java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "X-HTTP-Method-Override", "HEAD");
        assertThat(head.headers().firstValue("Upload-Offset")).contains("4");
        assertThat(alice.send("POST", location, java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "X-HTTP-Method-Override", "GET").statusCode()).isEqualTo(405);
        assertThat(alice.send("POST", location, java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "X-HTTP-Method-Override", "DELETE").statusCode()).isEqualTo(204);
        assertThat(alice.head(location).statusCode()).isEqualTo(404);
    }

    @Test
    void aClientDyingMidPatchKeepsWhatArrivedAndTheUploadResumesThere() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(1_500_000, 4);
        String location = alice.created(video.length);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(location, 0, video.length));
            out.write(video, 0, 700_000);
            out.flush();
        }
        // the server sees the connection close and commits what it stored
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.offset(location) == 700_000);
        assertThat(alice.patch(location, 700_000, Arrays.copyOfRange(video, 700_000, video.length)).statusCode())
                .isEqualTo(204);
        assertThat(stored(location)).isEqualTo(video);
        assertThat(job(id(location)).sha256()).isEqualTo(GatewayClient.sha256(video));
    }

    @Test
    void aSecondPatchWhileOneRunsIsRefused() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(400_000, 5);
        String location = alice.created(video.length);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(patchHead(location, 0, video.length));
            out.write(video, 0, 100_000);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> locked(location));
            assertThat(alice.patch(location, 0, new byte[1]).statusCode()).isEqualTo(423);
            out.write(video, 100_000, video.length - 100_000);
            out.flush();
            String response = RawHttp.readResponse(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 204");
        }
        assertThat(stored(location)).isEqualTo(video);
    }

    @Test
    void uploadsSurviveARestartAndResumeAtTheStoredOffset() throws Exception {
        start();
        byte[] video = GatewayClient.randomBytes(900_000, 6);
        String location = alice.created(video.length, "filename", "restart.mp4");
        alice.patch(location, 0, Arrays.copyOf(video, 333_333));
        server.close();
        start();
        assertThat(alice.offset(location)).isEqualTo(333_333);
        assertThat(alice.patch(location, 333_333, Arrays.copyOfRange(video, 333_333, video.length)).statusCode())
                .isEqualTo(204);
        assertThat(stored(location)).isEqualTo(video);
        // the hash state did not survive the process: the job's hash comes from the stored bytes
        assertThat(job(id(location)).sha256()).isEqualTo(GatewayClient.sha256(video));
    }

    @Test
    void aLockLeftByAPatchThePreviousRunDiedInDoesNotBlockTheResume() throws Exception {
        start();
        String location = alice.created(100);
        // what a PATCH leaves when its process is killed: the lock, with most of its lease to run
        server.backend().mongo().collection("jobs").updateOne(
                new org.bson.Document("_id", new org.bson.types.ObjectId(id(location))),
                new org.bson.Document("$set", new org.bson.Document("upload_lock", "dead")
                        .append("upload_lock_until", java.util.Date.from(java.time.Instant.now().plusSeconds(60)))));
        assertThat(alice.patch(location, 0, new byte[100]).statusCode()).isEqualTo(423);
        server.close();
        start();
        assertThat(alice.patch(location, 0, new byte[100]).statusCode()).isEqualTo(204);
    }

    @Test
    void chunksAboveTheConfiguredMaximumAreRefusedAndSmallerOnesPass() throws Exception {
        start(Map.of("gateway.uploads.max-chunk", "256k"));
        byte[] video = GatewayClient.randomBytes(600_000, 7);
        String location = alice.created(video.length);
        HttpResponse<String> big = alice.patch(location, 0, Arrays.copyOf(video, 300_000));
        assertThat(big.statusCode()).isEqualTo(413);
        long offset = 0;
        while (offset < video.length) {
            int end = (int) Math.min(video.length, offset + 200_000);
            HttpResponse<String> res = alice.patch(location, offset, Arrays.copyOfRange(video, (int) offset, end));
            assertThat(res.statusCode()).isEqualTo(204);
            offset = end;
        }
        assertThat(stored(location)).isEqualTo(video);
    }

    @Test
    void metadataIsTreatedAsHostileInput() throws Exception {
        start();
        String location = alice.created(10, "filename", "../../etc/pass\u202ewd.mp4", "filetype", "text/html; x=<script>");
        alice.patch(location, 0, new byte[10]);
        JobView job = job(id(location));
        assertThat(job.filename()).isEqualTo("passwd.mp4");
        assertThat(job.contentType()).isEqualTo("application/octet-stream");
        assertThat(alice.create(10, "bitrate", "999k").statusCode()).isEqualTo(400);
        assertThat(alice.create(10, "quality", "2", "bitrate", "128k").statusCode()).isEqualTo(400);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "Upload-Length", "10", "Upload-Metadata", "filename !!notbase64").statusCode())
                .isEqualTo(400);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "Upload-Length", "10", "Upload-Metadata", "a b,a b").statusCode()).isEqualTo(400);
        assertThat(alice.send("POST", "/api/v1/uploads", java.net.http.HttpRequest.BodyPublishers.noBody(),
                TUS, "1.0.0", "Upload-Length", "10", "Upload-Metadata", "x " + "A".repeat(5000)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void browsersOnAnotherOriginGetTheCorsHeadersTusJsClientNeeds() throws Exception {
        start();
        TusHttp anonymous = new TusHttp(server.port(), null);
        // as Chrome and Firefox send it: lower case, commas without spaces
        HttpResponse<String> preflight = anonymous.options("/api/v1/uploads/0123456789abcdef01234567",
                "Origin", "https://app.example.org", "Access-Control-Request-Method", "PATCH",
                "Access-Control-Request-Headers", "authorization,tus-resumable,upload-offset,content-type");
        assertThat(preflight.statusCode()).isBetween(200, 204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
        assertThat(String.join(",", preflight.headers().allValues("Access-Control-Allow-Methods")))
                .contains("PATCH", "HEAD", "POST", "DELETE");
        assertThat(String.join(",", preflight.headers().allValues("Access-Control-Allow-Headers")).toLowerCase())
                .contains("authorization", "tus-resumable", "upload-offset");
        HttpResponse<String> created = alice.send("POST", "/api/v1/uploads",
                java.net.http.HttpRequest.BodyPublishers.noBody(), TUS, "1.0.0", "Upload-Length", "10",
                "Origin", "https://app.example.org");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).isPresent();
        // one line per name or one list: a browser joins repeated lines into one list
        assertThat(String.join(",", created.headers().allValues("Access-Control-Expose-Headers")).toLowerCase())
                .contains("location", "upload-offset", "upload-length", "tus-resumable");
    }

    private byte[] patchHead(String location, long offset, long length) {
        return ("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + ServerWithFakeAuth.ALICE_TOKEN + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset
                + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private JobView job(String id) throws IOException, InterruptedException {
        HttpResponse<String> res = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN)
                .getText("/api/v1/jobs/" + id);
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    private byte[] stored(String location) throws IOException {
        Job job = server.backend().jobs().find(id(location)).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        try (InputStream in = server.backend().blobs().open(job.videoFid())) {
            return in.readAllBytes();
        }
    }

    private static String id(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static String digest(String algorithm, byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    private boolean locked(String location) {
        return server.backend().mongo().collection("jobs")
                        .find(new org.bson.Document("_id", new org.bson.types.ObjectId(id(location)))).first()
                .map(doc -> doc.get("upload_lock") != null).orElse(false);
    }
}
