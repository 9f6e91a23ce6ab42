package dev.mp3conv.server.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Backend;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The served {@code /openapi.yaml} against what the server really does: every exchange of
 * {@link #exercise} (successes and problems of every route) must match the document, and every
 * operation of the document must have been exercised. A route, field or status added without its
 * description, or described without a test, fails here. To cover a new route, add its requests to
 * {@link #exercise}.
 */
class OpenApiIT {
    private static final String PASSWORD = "long enough password";
    private static final String TUS = "Tus-Resumable";
    private static final String TUS_VERSION = "1.0.0";

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private Recorder api;

    @BeforeEach
    void start() {
        start(Map.of());
    }

    private void start(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(Map.of(
                "app.roles", "auth,gateway",
                "app.data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.port", "0",
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "auth.login.max-failures", "2",
                "quota.user", "1000000"));
        config.putAll(overrides);
        server = Mp3convServer.start(Settings.load(Map.of(), config));
        api = new Recorder(URI.create("http://127.0.0.1:" + server.port()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyExchangeMatchesTheServedDocumentAndEveryOperationIsExercised() throws Exception {
        HttpResponse<byte[]> served = api.send("GET", "/openapi.yaml", null, null, null);
        assertThat(served.statusCode()).isEqualTo(200);
        OpenApiContract contract = new OpenApiContract(new String(served.body(), StandardCharsets.UTF_8));
        assertThat(contract.version()).startsWith("3.1.");

        exercise(api, server.backend());

        List<String> violations = new ArrayList<>();
        api.exchanges.forEach(exchange -> violations.addAll(contract.violations(exchange)));
        assertThat(violations).as("exchanges that differ from openapi.yaml").isEmpty();
        assertThat(contract.unexercised()).as("operations of openapi.yaml no exchange used").isEmpty();
        assertThat(api.exchanges).hasSizeGreaterThan(40);
    }

    @Test
    void aBusyPasswordHashingPoolAnswersAsDescribed() throws Exception {
        server.close();
        start(Map.of("auth.hashing.threads", "1", "auth.hashing.max-wait", "1ms",
                "auth.registration.max-per-address", "1000"));
        OpenApiContract contract = new OpenApiContract(new String(
                api.send("GET", "/openapi.yaml", null, null, null).body(), StandardCharsets.UTF_8));
        register(api, "busy@example.com");
        // a burst of hashing requests against one thread and a 1 ms wait: some are refused with 503
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<byte[]>>> burst = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int n = i;
                burst.add(clients.submit(() -> {
                    go.await();
                    return api.json("POST", "/api/v1/auth/token", null, Map.of("email", "busy@example.com", "password", PASSWORD));
                }));
                burst.add(clients.submit(() -> {
                    go.await();
                    return api.json("POST", "/api/v1/users", null, Map.of("email", "burst" + n + "@example.com", "password", PASSWORD));
                }));
            }
            go.countDown();
            for (Future<HttpResponse<byte[]>> response : burst) {
                response.get();
            }
        }
        List<String> violations = new ArrayList<>();
        api.exchanges.forEach(exchange -> violations.addAll(contract.violations(exchange)));
        assertThat(violations).as("exchanges that differ from openapi.yaml").isEmpty();
        assertThat(api.exchanges).extracting(OpenApiContract.Exchange::toString)
                .contains("POST /api/v1/auth/token → 503", "POST /api/v1/users → 503");
    }

    @Test
    void aResponseTheDocumentDoesNotDescribeIsCaught() throws Exception {
        OpenApiContract contract = new OpenApiContract(new String(
                api.send("GET", "/openapi.yaml", null, null, null).body(), StandardCharsets.UTF_8));
        String token = register(api, "drift@example.com");
        api.exchanges.clear();
        api.send("GET", "/api/v1/users/me", token, null, null);
        OpenApiContract.Exchange real = api.exchanges.getFirst();
        byte[] extraField = new String(real.body(), StandardCharsets.UTF_8).replaceFirst("\\{", "{\"nickname\":\"x\",")
                .getBytes(StandardCharsets.UTF_8);
        OpenApiContract.Exchange drifted = new OpenApiContract.Exchange(real.method(), real.path(), null, new byte[0],
                real.status(), real.headers(), extraField);
        OpenApiContract.Exchange otherStatus = new OpenApiContract.Exchange("GET", "/api/v1/users/me", null,
                new byte[0], 418, real.headers(), real.body());

        assertThat(contract.violations(real)).isEmpty();
        assertThat(contract.violations(drifted)).singleElement().asString().contains("nickname");
        assertThat(contract.violations(otherStatus)).singleElement().asString().contains("status 418 not described");
        assertThat(contract.violations(new OpenApiContract.Exchange("GET", "/api/v1/nothing", null, new byte[0], 404,
                real.headers(), new byte[0]))).singleElement().asString().contains("path not described");
    }

    /**
     * The one list of exchanges: every route with its successes and its problems.
     */
    private static void exercise(Recorder api, Backend backend) throws Exception {
        FakeConverter converter = new FakeConverter(backend);
        // auth
        String token = register(api, "ann@example.com");
        api.json("POST", "/api/v1/users", null, Map.of("email", "ann@example.com", "password", PASSWORD));
        api.json("POST", "/api/v1/users", null, Map.of("email", "bob@example.com", "password", "short"));
        api.json("POST", "/api/v1/users", null, Map.of("email", "not an email", "password", PASSWORD));
        api.send("GET", "/api/v1/users/me", token, null, null);
        api.send("GET", "/api/v1/users/me", null, null, null);
        api.send("GET", "/api/v1/users/me", "forged", null, null);
        api.json("POST", "/api/v1/auth/token", null, Map.of("email", "ann@example.com", "password", "wrong password"));
        api.json("POST", "/api/v1/auth/token", null, Map.of("email", "ann@example.com", "password", "wrong password"));
        api.json("POST", "/api/v1/auth/token", null, Map.of("email", "ann@example.com", "password", "wrong password"));
        api.send("POST", "/api/v1/auth/token", null, "application/json", "{".getBytes(StandardCharsets.UTF_8));
        api.send("GET", "/.well-known/jwks.json", null, null, null);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("zed@example.com:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String zed = register(api, "zed@example.com");
        api.send("POST", "/login", null, null, null, "Authorization", basic);
        api.send("POST", "/login", null, null, null, "Authorization", "Basic !!!");
        api.send("POST", "/validate", token, null, null);
        api.send("POST", "/validate", "forged", null, null);
        String pat = register(api, "pat@example.com");
        api.json("PUT", "/api/v1/users/me/password", pat, Map.of("current_password", PASSWORD, "new_password", "short"));
        api.json("PUT", "/api/v1/users/me/password", pat,
                Map.of("current_password", "not the password", "new_password", "a new long password"));
        api.json("PUT", "/api/v1/users/me/password", null,
                Map.of("current_password", PASSWORD, "new_password", "a new long password"));
        assertThat(api.json("PUT", "/api/v1/users/me/password", pat,
                Map.of("current_password", PASSWORD, "new_password", "a new long password")).statusCode()).isEqualTo(204);
        assertThat(api.send("GET", "/api/v1/users/me", pat, null, null).statusCode()).as("tokens before the change")
                .isEqualTo(401);

        // jobs
        byte[] video = GatewayClient.randomBytes(4000, 3);
        String jobId = Json.mapper().readTree(api.send("POST", "/api/v1/jobs", token, multipartType(),
                new GatewayClient.Multipart().field("bitrate", "128k").file("file", "talk.mp4", "video/mp4", video).bytes())
                .body()).get("id").asText();
        api.send("POST", "/api/v1/jobs", token, multipartType(),
                new GatewayClient.Multipart().field("bitrate", "100k").file("file", "a.mp4", "video/mp4", video).bytes());
        api.send("POST", "/api/v1/jobs", token, multipartType(),
                new GatewayClient.Multipart().file("file", "empty.mp4", "video/mp4", new byte[0]).bytes());
        api.send("POST", "/api/v1/jobs", null, multipartType(),
                new GatewayClient.Multipart().file("file", "a.mp4", "video/mp4", video).bytes());
        api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + jobId + "/mp3", token, null, null);
        converter.convert(jobId, GatewayClient.randomBytes(30_000, 4));
        api.send("GET", "/api/v1/jobs?limit=1", token, null, null);
        api.send("GET", "/api/v1/jobs?limit=0", token, null, null);
        api.send("GET", "/api/v1/jobs", null, null, null);
        api.send("GET", "/api/v1/jobs/" + jobId, token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + jobId, token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + "0".repeat(24), token, null, null);
        api.send("GET", "/api/v1/jobs/not-an-id", token, null, null);
        api.send("GET", "/api/v1/jobs/" + jobId, null, null, null);
        api.send("GET", "/api/v1/jobs/" + jobId + "/events", token, null, null);
        api.send("GET", "/api/v1/jobs/" + "0".repeat(24) + "/events", token, null, null);
        api.send("GET", "/api/v1/jobs/" + jobId + "/events", null, null, null);
        HttpResponse<byte[]> mp3 = api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", token, null, null);
        String etag = mp3.headers().firstValue("ETag").orElseThrow();
        api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", token, null, null, "Range", "bytes=1000-");
        api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", token, null, null, "Range", "bytes=999999-");
        api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", token, null, null, "If-None-Match", etag);
        api.send("HEAD", "/api/v1/jobs/" + jobId + "/mp3", token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + "0".repeat(24) + "/mp3", token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + jobId + "/mp3", null, null, null);
        api.send("GET", "/api/v1/jobs/" + "0".repeat(24) + "/mp3", token, null, null);
        api.send("GET", "/api/v1/jobs/" + jobId + "/mp3", null, null, null);
        assertThat(api.send("POST", "/api/v1/jobs", token, multipartType(), new GatewayClient.Multipart()
                .file("file", "big.mp4", "video/mp4", GatewayClient.randomBytes(1_100_000, 5)).bytes()).statusCode())
                .as("over the quota.user of this server").isEqualTo(413);

        // expiry: a job kept for one second answers 410 on every route once it passed
        String shortJob = Json.mapper().readTree(api.send("POST", "/api/v1/jobs", token, multipartType(),
                new GatewayClient.Multipart().field("keep", "1s").file("file", "brief.mp4", "video/mp4", video).bytes())
                .body()).get("id").asText();
        String shortMp3 = converter.convert(shortJob, GatewayClient.randomBytes(2000, 6)).mp3Fid();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.send("GET", "/api/v1/jobs/" + shortJob, token, null, null).statusCode() == 410);
        api.send("HEAD", "/api/v1/jobs/" + shortJob, token, null, null);
        api.send("GET", "/api/v1/jobs/" + shortJob + "/mp3", token, null, null);
        api.send("HEAD", "/api/v1/jobs/" + shortJob + "/mp3", token, null, null);
        api.send("GET", "/api/v1/jobs/" + shortJob + "/events", token, null, null);
        api.send("GET", "/download?fid=" + shortMp3, token, null, null);
        api.send("HEAD", "/download?fid=" + shortMp3, token, null, null);

        assertThat(api.exchanges.stream().filter(exchange -> exchange.status() == 410).map(Object::toString)
                .map(exchange -> exchange.replaceAll("[0-9a-f]{24}", "{id}"))).as("expired job routes").containsOnly(
                "GET /api/v1/jobs/{id} → 410", "HEAD /api/v1/jobs/{id} → 410", "GET /api/v1/jobs/{id}/mp3 → 410",
                "HEAD /api/v1/jobs/{id}/mp3 → 410", "GET /api/v1/jobs/{id}/events → 410", "GET /download → 410",
                "HEAD /download → 410");
        tus(api, backend, token, zed);

        // seed
        String mp3Fid = Json.mapper().readTree(api.send("GET", "/api/v1/jobs/" + jobId, token, null, null).body())
                .get("mp3_fid").asText();
        String seedJob = Json.mapper().readTree(api.send("POST", "/upload", token, multipartType(),
                new GatewayClient.Multipart().file("video", "seed.mp4", "video/mp4", video).bytes()).body())
                .get("id").asText();
        api.send("POST", "/upload", token, multipartType(), new GatewayClient.Multipart().field("x", "y").bytes());
        api.send("POST", "/upload", null, multipartType(),
                new GatewayClient.Multipart().file("video", "seed.mp4", "video/mp4", video).bytes());
        api.send("GET", "/download?fid=" + mp3Fid, token, null, null);
        api.send("GET", "/download?fid=" + jobId, token, null, null);
        api.send("GET", "/download?fid=" + jobId, token, null, null, "Range", "bytes=10-");
        api.send("GET", "/download?fid=" + jobId, token, null, null, "Range", "bytes=999999-");
        api.send("GET", "/download?fid=" + jobId, token, null, null, "If-None-Match", etag);
        api.send("GET", "/download?fid=" + seedJob, token, null, null);
        api.send("GET", "/download", token, null, null);
        api.send("GET", "/download?fid=nope", token, null, null);
        api.send("GET", "/download?fid=" + mp3Fid, null, null, null);
        api.send("HEAD", "/download?fid=" + mp3Fid, token, null, null);
        api.send("HEAD", "/download", token, null, null);
        api.send("HEAD", "/download?fid=nope", token, null, null);
        api.send("HEAD", "/download?fid=" + mp3Fid, null, null, null);

        // webhooks
        api.json("PUT", "/api/v1/users/me/webhook", token, Map.of("url", "https://hooks.example.invalid/mp3"));
        api.json("PUT", "/api/v1/users/me/webhook", token, Map.of("url", "http://127.0.0.1/x"));
        api.json("PUT", "/api/v1/users/me/webhook", null, Map.of("url", "https://hooks.example.invalid/mp3"));
        api.send("GET", "/api/v1/users/me/webhook", token, null, null);
        api.send("GET", "/api/v1/users/me/webhook", null, null, null);
        api.send("DELETE", "/api/v1/users/me/webhook", token, null, null);
        api.send("DELETE", "/api/v1/users/me/webhook", null, null, null);
        api.send("GET", "/api/v1/users/me/webhook", token, null, null);

        // deleting ends the job's routes
        api.send("DELETE", "/api/v1/jobs/" + jobId, token, null, null);
        api.send("DELETE", "/api/v1/jobs/" + jobId, token, null, null);
        api.send("DELETE", "/api/v1/jobs/" + jobId, null, null, null);

        // every registration attempt of an address counts: the limit ends in 429
        int status = 0;
        for (int i = 0; i < 20 && status != 429; i++) {
            status = api.json("POST", "/api/v1/users", null,
                    Map.of("email", "many" + i + "@example.com", "password", PASSWORD)).statusCode();
        }
        assertThat(status).as("registrations past auth.registration.max-per-address").isEqualTo(429);
    }

    /** The tus endpoint: every status it answers, with its headers. */
    private static void tus(Recorder api, Backend backend, String token, String other) throws Exception {
        String octets = "application/offset+octet-stream";
        int first = api.exchanges.size();
        HttpResponse<byte[]> options = api.send("OPTIONS", "/api/v1/uploads", null, null, null);
        long maxSize = Long.parseLong(options.headers().firstValue("Tus-Max-Size").orElseThrow());
        api.send("POST", "/api/v1/uploads", token, null, null, "Upload-Length", "100");
        api.send("POST", "/api/v1/uploads", token, null, null, TUS, "0.2.2", "Upload-Length", "100");
        api.send("POST", "/api/v1/uploads", null, null, null, TUS, TUS_VERSION, "Upload-Length", "100");
        api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION);
        api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION, "Upload-Length", String.valueOf(maxSize + 1));
        api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION, "Upload-Length", "2000000");
        api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION, "Upload-Length", "100",
                "Upload-Metadata", metadata("bitrate", "7k"));
        api.send("POST", "/api/v1/uploads", token, "text/plain", new byte[10], TUS, TUS_VERSION, "Upload-Length", "50");
        byte[] video = GatewayClient.randomBytes(100, 7);
        String upload = api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION, "Upload-Length", "100",
                "Upload-Metadata", metadata("filename", "tus.mp4", "filetype", "video/mp4", "bitrate", "128k"))
                .headers().firstValue("Location").orElseThrow();
        String id = upload.substring(upload.lastIndexOf('/') + 1);
        api.send("OPTIONS", upload, null, null, null);
        api.send("HEAD", upload, token, null, null, TUS, TUS_VERSION);
        api.send("GET", "/api/v1/jobs/" + id, token, null, null);
        api.send("HEAD", upload, other, null, null, TUS, TUS_VERSION);
        api.send("HEAD", "/api/v1/uploads/" + "0".repeat(24), token, null, null, TUS, TUS_VERSION);
        api.send("PATCH", upload, token, octets, Arrays.copyOf(video, 40), TUS, TUS_VERSION, "Upload-Offset", "0");
        api.send("PATCH", upload, token, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "0");
        api.send("PATCH", upload, token, "application/json", "{}".getBytes(StandardCharsets.UTF_8), TUS, TUS_VERSION,
                "Upload-Offset", "40");
        api.send("PATCH", upload, token, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "forty");
        api.send("PATCH", upload, token, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "40",
                "Upload-Checksum", "sha256 " + sha256(new byte[11]));
        api.send("PATCH", upload, token, octets, new byte[61], TUS, TUS_VERSION, "Upload-Offset", "40");
        api.send("PATCH", upload, null, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "40");
        // what a PATCH in progress holds: another one is refused with 423
        Bson byId = new Document("_id", new ObjectId(id));
        backend.mongo().collection("jobs").updateOne(byId, new Document("$set",
                new Document("upload_lock", "busy").append("upload_lock_until", Date.from(Instant.now().plusSeconds(60)))));
        api.send("PATCH", upload, token, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "40");
        backend.mongo().collection("jobs").updateOne(byId,
                new Document("$unset", new Document("upload_lock", "").append("upload_lock_until", "")));
        api.send("POST", upload, token, null, null, TUS, TUS_VERSION);
        byte[] rest = Arrays.copyOfRange(video, 40, 100);
        api.send("POST", upload, token, octets, rest, TUS, TUS_VERSION, "Upload-Offset", "40",
                "X-HTTP-Method-Override", "PATCH", "Upload-Checksum", "sha256 " + sha256(rest));
        api.send("GET", "/api/v1/jobs/" + id, token, null, null);
        api.send("DELETE", upload, token, null, null, TUS, TUS_VERSION);

        String withBody = api.send("POST", "/api/v1/uploads", token, octets, new byte[10], TUS, TUS_VERSION,
                "Upload-Length", "50").headers().firstValue("Location").orElseThrow();
        api.send("DELETE", withBody, null, null, null, TUS, TUS_VERSION);
        api.send("DELETE", withBody, token, null, null, TUS, TUS_VERSION);
        api.send("DELETE", withBody, token, null, null, TUS, TUS_VERSION);

        String expired = api.send("POST", "/api/v1/uploads", token, null, null, TUS, TUS_VERSION, "Upload-Length", "10")
                .headers().firstValue("Location").orElseThrow();
        backend.mongo().collection("jobs").updateOne(
                new Document("_id", new ObjectId(expired.substring(expired.lastIndexOf('/') + 1))),
                new Document("$set", new Document("upload_expires", Date.from(Instant.now().minusSeconds(1)))));
        api.send("HEAD", expired, token, null, null, TUS, TUS_VERSION);
        api.send("PATCH", expired, token, octets, new byte[10], TUS, TUS_VERSION, "Upload-Offset", "0");
        api.send("DELETE", expired, token, null, null, TUS, TUS_VERSION);
        assertThat(api.exchanges.subList(first, api.exchanges.size()).stream()
                .filter(exchange -> exchange.path().startsWith("/api/v1/uploads")).map(exchange -> exchange.status()))
                .as("the tus endpoint's statuses").containsOnly(200, 201, 204, 400, 401, 404, 405, 409, 410, 412, 413,
                        415, 423, 460);
    }

    private static String metadata(String... pairs) {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            entries.add(pairs[i] + " " + Base64.getEncoder().encodeToString(pairs[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return String.join(",", entries);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String register(Recorder api, String email) throws Exception {
        api.json("POST", "/api/v1/users", null, Map.of("email", email, "password", PASSWORD));
        JsonNode token = Json.mapper().readTree(api.json("POST", "/api/v1/auth/token", null,
                Map.of("email", email, "password", PASSWORD)).body());
        return token.get("access_token").asText();
    }

    private static String multipartType() {
        return "multipart/form-data; boundary=" + GatewayClient.BOUNDARY;
    }

    /** Sends requests and keeps every exchange for the contract. */
    static final class Recorder {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI base;
        final List<OpenApiContract.Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());

        Recorder(URI base) {
            this.base = base;
        }

        HttpResponse<byte[]> json(String method, String path, String token, Object body) throws Exception {
            return send(method, path, token, "application/json", Json.mapper().writeValueAsBytes(body));
        }

        HttpResponse<byte[]> send(String method, String path, String token, String contentType, byte[] body,
                                  String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            String query = URI.create(path).getRawPath();
            exchanges.add(new OpenApiContract.Exchange(method, query, contentType, body == null ? new byte[0] : body,
                    response.statusCode(), response.headers(), response.body()));
            return response;
        }
    }
}
