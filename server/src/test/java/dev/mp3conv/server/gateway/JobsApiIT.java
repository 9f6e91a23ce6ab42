package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.mp3conv.model.JobEvent;
import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class JobsApiIT {
    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private GatewayClient alice;
    private GatewayClient bob;
    private FakeConverter converter;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of("app.public-url", "https://mp3.example.org/"));
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        bob = new GatewayClient(server.port(), ServerWithFakeAuth.BOB_TOKEN);
        converter = new FakeConverter(server.backend());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void uploadCreatesAQueuedJobWithTheStoredVideo() throws Exception {
        byte[] video = GatewayClient.randomBytes(700_000, 1);
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("bitrate", "256k")
                .file("file", "talk.mp4", "video/mp4", video));

        assertThat(res.statusCode()).isEqualTo(202);
        JobView job = Json.mapper().readValue(res.body(), JobView.class);
        assertThat(res.headers().firstValue("Location")).contains("https://mp3.example.org/api/v1/jobs/" + job.id());
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.filename()).isEqualTo("talk.mp4");
        assertThat(job.contentType()).isEqualTo("video/mp4");
        assertThat(job.size()).isEqualTo(video.length);
        assertThat(job.sha256()).isEqualTo(GatewayClient.sha256(video));
        assertThat(job.bitrate()).isEqualTo("256k");
        try (var in = server.backend().blobs().open(job.videoFid())) {
            assertThat(in.readAllBytes()).isEqualTo(video);
        }
        var blob = server.backend().blobs().info(job.videoFid()).orElseThrow();
        assertThat(blob.metadata().jobId()).isEqualTo(job.id());
        assertThat(blob.metadata().owner()).isEqualTo(ServerWithFakeAuth.ALICE.userId());
        Job stored = server.backend().jobs().find(job.id()).orElseThrow();
        assertThat(stored.videoPublishedAt()).as("video message confirmed").isNotNull();
        assertThat(stored.ownerEmail()).isEqualTo("alice@example.com");

        JobView shown = Json.mapper().readValue(alice.getText("/api/v1/jobs/" + job.id()).body(), JobView.class);
        assertThat(shown).isEqualTo(job);
        JobPage page = Json.mapper().readValue(alice.getText("/api/v1/jobs").body(), JobPage.class);
        assertThat(page.items()).extracting(JobView::id).containsExactly(job.id());
    }

    @Test
    void finishedMp3DownloadsWholeByRangeAndRevalidates() throws Exception {
        // quotes inside the quoted name escaped with a backslash, as curl sends them
        JobView job = alice.uploadJob("Tälk \\\"final\\\".mp4", GatewayClient.randomBytes(10_000, 2));
        assertThat(job.filename()).isEqualTo("Tälk \"final\".mp4");
        byte[] mp3 = GatewayClient.randomBytes(50_000, 3);
        HttpResponse<byte[]> notReady = alice.get("/api/v1/jobs/" + job.id() + "/mp3");
        assertThat(notReady.statusCode()).isEqualTo(409);
        assertThat(notReady.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
        converter.convert(job.id(), mp3);
        String path = "/api/v1/jobs/" + job.id() + "/mp3";

        HttpResponse<byte[]> full = alice.get(path);
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(mp3);
        assertThat(full.headers().firstValue("Content-Type")).contains("audio/mpeg");
        assertThat(full.headers().firstValue("Content-Length")).contains(String.valueOf(mp3.length));
        assertThat(full.headers().firstValue("Accept-Ranges")).contains("bytes");
        assertThat(full.headers().firstValue("Content-Disposition"))
                .contains("attachment; filename=\"T_lk _final_.mp3\"; filename*=UTF-8''T%C3%A4lk%20%22final%22.mp3");
        String etag = full.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> middle = alice.get(path, "Range", "bytes=100-199");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(mp3, 100, 200));
        assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 100-199/" + mp3.length);
        assertThat(middle.headers().firstValue("Content-Length")).contains("100");

        HttpResponse<byte[]> tail = alice.get(path, "Range", "bytes=-10");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(mp3, mp3.length - 10, mp3.length));

        HttpResponse<byte[]> open = alice.get(path, "Range", "bytes=49990-");
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(mp3, 49_990, mp3.length));

        HttpResponse<byte[]> beyond = alice.get(path, "Range", "bytes=50000-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + mp3.length);
        assertThat(beyond.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);

        HttpResponse<byte[]> staleRange = alice.get(path, "Range", "bytes=0-9", "If-Range", "\"other\"");
        assertThat(staleRange.statusCode()).as("If-Range mismatch sends everything").isEqualTo(200);
        assertThat(staleRange.body()).isEqualTo(mp3);

        HttpResponse<byte[]> notModified = alice.get(path, "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("ETag")).contains(etag);
        assertThat(alice.get(path, "If-None-Match", "\"something-else\"").statusCode()).isEqualTo(200);
    }

    @Test
    void anotherUsersJobIsAnsweredLikeAMissingOne() throws Exception {
        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(1000, 4));
        converter.convert(job.id(), GatewayClient.randomBytes(100, 5));
        String missing = new org.bson.types.ObjectId().toHexString();

        for (String suffix : new String[] {"", "/mp3", "/events"}) {
            HttpResponse<String> theirs = bob.getText("/api/v1/jobs/" + job.id() + suffix);
            HttpResponse<String> unknown = bob.getText("/api/v1/jobs/" + missing + suffix);
            HttpResponse<String> malformed = bob.getText("/api/v1/jobs/not-an-id" + suffix);
            assertThat(theirs.statusCode()).isEqualTo(404);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(malformed.statusCode()).isEqualTo(404);
            assertThat(withoutInstance(theirs.body())).isEqualTo(withoutInstance(unknown.body()))
                    .isEqualTo(withoutInstance(malformed.body()));
        }
        assertThat(bob.delete("/api/v1/jobs/" + job.id()).statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readValue(bob.getText("/api/v1/jobs").body(), JobPage.class).items()).isEmpty();
        assertThat(alice.getText("/api/v1/jobs/" + job.id()).statusCode()).as("still there for its owner").isEqualTo(200);
    }

    @Test
    void requestsWithoutAValidTokenAreRefused() throws Exception {
        GatewayClient anonymous = new GatewayClient(server.port(), null);
        GatewayClient forged = new GatewayClient(server.port(), "forged");
        for (GatewayClient client : new GatewayClient[] {anonymous, forged}) {
            HttpResponse<String> list = client.getText("/api/v1/jobs");
            assertThat(list.statusCode()).isEqualTo(401);
            assertThat(list.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
            HttpResponse<String> upload = client.upload("/api/v1/jobs",
                    new GatewayClient.Multipart().file("file", "x.mp4", "video/mp4", new byte[10]));
            assertThat(upload.statusCode()).isEqualTo(401);
        }
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).isEmpty();
    }

    @Test
    void listsOwnJobsNewestFirstInPages() throws Exception {
        JobView first = alice.uploadJob("1.mp4", new byte[] {1});
        JobView second = alice.uploadJob("2.mp4", new byte[] {2});
        JobView third = alice.uploadJob("3.mp4", new byte[] {3});
        bob.uploadJob("bob.mp4", new byte[] {4});

        JobPage page1 = Json.mapper().readValue(alice.getText("/api/v1/jobs?limit=2").body(), JobPage.class);
        assertThat(page1.items()).extracting(JobView::id).containsExactly(third.id(), second.id());
        assertThat(page1.nextCursor()).isNotNull();
        HttpResponse<String> raw2 = alice.getText("/api/v1/jobs?limit=2&cursor=" + page1.nextCursor());
        assertThat(raw2.body()).doesNotContain("next_cursor");
        JobPage page2 = Json.mapper().readValue(raw2.body(), JobPage.class);
        assertThat(page2.items()).extracting(JobView::id).containsExactly(first.id());
        assertThat(page1.toString()).doesNotContain("bob.mp4");

        assertThat(alice.getText("/api/v1/jobs?limit=0").statusCode()).isEqualTo(400);
        assertThat(alice.getText("/api/v1/jobs?limit=many").statusCode()).isEqualTo(400);
        assertThat(alice.getText("/api/v1/jobs?cursor=nope").statusCode()).isEqualTo(400);
    }

    @Test
    void deleteRemovesTheJobAndBothBlobs() throws Exception {
        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(1000, 6));
        Job done = converter.convert(job.id(), GatewayClient.randomBytes(100, 7));

        assertThat(alice.delete("/api/v1/jobs/" + job.id()).statusCode()).isEqualTo(204);

        assertThat(server.backend().blobs().info(done.videoFid())).isEmpty();
        assertThat(server.backend().blobs().info(done.mp3Fid())).isEmpty();
        assertThat(alice.getText("/api/v1/jobs/" + job.id()).statusCode()).isEqualTo(404);
        assertThat(alice.delete("/api/v1/jobs/" + job.id()).statusCode()).isEqualTo(404);
    }

    @Test
    void eventsFollowTheJobUntilItIsDone() throws Exception {
        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(1000, 8));
        HttpRequest request = alice.request("/api/v1/jobs/" + job.id() + "/events").GET().build();
        HttpResponse<Stream<String>> res = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        Iterator<String> lines = res.body().iterator();

        assertThat(nextEvent(lines)).isEqualTo(new JobEvent(job.id(), JobState.QUEUED, 0.0, null));
        converter.claim(job.id());
        assertThat(nextEvent(lines)).isEqualTo(new JobEvent(job.id(), JobState.CONVERTING, 0.0, null));
        converter.progress(job.id(), 0.5);
        assertThat(nextEvent(lines)).isEqualTo(new JobEvent(job.id(), JobState.CONVERTING, 0.5, null));
        converter.complete(job.id(), new byte[] {1, 2, 3});
        assertThat(nextEvent(lines)).isEqualTo(new JobEvent(job.id(), JobState.DONE, 1.0, null));
        while (lines.hasNext()) {
            assertThat(lines.next()).as("nothing after the terminal event").doesNotStartWith("data:");
        }
    }

    @Test
    void eventsArePushedAtTheChangeNotAtTheFallbackPoll() throws Exception {
        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(1000, 11));
        HttpRequest request = alice.request("/api/v1/jobs/" + job.id() + "/events").GET().build();
        HttpResponse<Stream<String>> res = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = res.body().iterator();
        assertThat(nextEvent(lines).state()).isEqualTo(JobState.QUEUED);

        List<Runnable> changes = List.of(() -> converter.claim(job.id()),
                () -> converter.progress(job.id(), 0.25), () -> converter.progress(job.id(), 0.5),
                () -> converter.progress(job.id(), 0.75), () -> converter.progress(job.id(), 0.9));
        List<Long> delays = new ArrayList<>();
        for (Runnable change : changes) {
            change.run();
            Instant updated = server.backend().jobs().find(job.id()).orElseThrow().updatedAt();
            JobEvent event = nextEvent(lines);
            delays.add(Duration.between(updated, Instant.now()).toMillis());
            assertThat(event.state()).isEqualTo(JobState.CONVERTING);
        }
        converter.complete(job.id(), new byte[] {1, 2, 3});
        Instant done = server.backend().jobs().find(job.id()).orElseThrow().updatedAt();
        assertThat(nextEvent(lines).state()).isEqualTo(JobState.DONE);
        delays.add(Duration.between(done, Instant.now()).toMillis());
        System.out.println("event delays after updated_at (ms): " + delays);
        // pushed, not found by the stream's fallback read every 2 s (GatewayRole.EVENTS_POLL): a polled change waits
        // 0-2 s, so six of them all within 500 ms would happen by chance once in 4,000 runs; the bound leaves room for
        // a loaded machine (a push takes milliseconds: docs/gateway.md). The store keeps milliseconds, so a delay can
        // read a millisecond early.
        assertThat(delays).allSatisfy(ms -> assertThat(ms).isBetween(-1L, 500L));
    }

    @Test
    void uploadIsAcceptedWhenTheQueueIsDownAndLeftForTheSweeper() throws Exception {
        server.backend().queue().close();

        JobView job = alice.uploadJob("a.mp4", GatewayClient.randomBytes(1000, 9));

        Job stored = server.backend().jobs().find(job.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.QUEUED);
        assertThat(stored.videoPublishedAt()).as("not published").isNull();
        assertThat(server.backend().blobs().info(stored.videoFid())).isPresent();
    }

    @Test
    void filenamesAreSanitised() throws Exception {
        JobView job = alice.uploadJob("..\\..//etc/pa\u200Bss\u202Ewd.mp4", new byte[] {1});
        assertThat(job.filename()).isEqualTo("passwd.mp4");
        JobView empty = alice.uploadJob("../", new byte[] {1});
        assertThat(empty.filename()).isEqualTo("upload");
        // control characters arrive percent-encoded in filename* (RFC 7578 §4.2) and are dropped
        HttpResponse<String> encoded = alice.upload("/api/v1/jobs", new GatewayClient.Multipart().part(Map.of(
                "Content-Disposition", "form-data; name=\"file\"; filename*=UTF-8''..%2Fpa%00ss%07%0D%0Awd.mp4",
                "Content-Type", "video/mp4"), new byte[] {1}));
        assertThat(encoded.statusCode()).as(encoded.body()).isEqualTo(202);
        assertThat(Json.mapper().readValue(encoded.body(), JobView.class).filename()).isEqualTo("passwd.mp4");
        // raw, they make the part header invalid (RFC 9110 §5.5): refused, nothing stored
        int jobsBefore = server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 100).size();
        HttpResponse<String> raw = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "pa\u0000ss\u0007.mp4", "video/mp4", new byte[] {1}));
        assertThat(raw.statusCode()).isEqualTo(400);
        assertThat(raw.body()).contains("control character");
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 100)).hasSize(jobsBefore);
    }

    @Test
    void badOptionsAreRefusedAndLeaveNoBlob() throws Exception {
        byte[] video = GatewayClient.randomBytes(1000, 10);
        HttpResponse<String> both = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", video).field("bitrate", "192k").field("quality", "2"));
        HttpResponse<String> odd = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", video).field("bitrate", "100k"));
        HttpResponse<String> badQuality = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("quality", "10").file("file", "a.mp4", "video/mp4", video));

        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(odd.statusCode()).isEqualTo(400);
        assertThat(badQuality.statusCode()).isEqualTo(400);
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
        JobView vbr = Json.mapper().readValue(alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("quality", "2").file("file", "a.mp4", "video/mp4", video)).body(), JobView.class);
        assertThat(vbr.quality()).isEqualTo(2);
    }

    @Test
    void metricsCountUploadsAndBytes() throws Exception {
        alice.uploadJob("a.mp4", GatewayClient.randomBytes(1234, 11));
        GatewayClient admin = new GatewayClient(server.adminPort(), null);
        String metrics = new String(admin.get("/observe/metrics", "Accept", "text/plain").body(), StandardCharsets.UTF_8);
        assertThat(metrics).contains("mp3conv_gateway_uploads_total{", "mp3conv_gateway_upload_bytes_total",
                "mp3conv_gateway_download_bytes_total", "mp3conv_gateway_upload_seconds_count");
    }

    private static JobEvent nextEvent(Iterator<String> lines) throws IOException {
        String name = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                assertThat(name).isEqualTo("job");
                return Json.mapper().readValue(line.substring(5).trim(), JobEvent.class);
            }
        }
        throw new AssertionError("the event stream ended");
    }

    private static String withoutInstance(String problem) throws IOException {
        Problem p = Json.mapper().readValue(problem, Problem.class);
        return p.withInstance(null).toString();
    }
}
