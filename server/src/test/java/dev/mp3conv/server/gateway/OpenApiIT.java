package dev.mp3conv.server.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served {@code /openapi.yaml} against what the server really does: every exchange of
 * {@link #exercise} (successes and problems of every route) must match the document, and every
 * operation of the document must have been exercised. A route, field or status added without its
 * description, or described without a test, fails here. To cover a new route, add its requests to
 * {@link #exercise}.
 */
class OpenApiIT {
    private static final String PASSWORD = "long enough password";

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private Recorder api;

    @BeforeEach
    void start() {
        server = Mp3convServer.start(Settings.load(Map.of(), Map.of(
                "app.roles", "auth,gateway",
                "app.data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.port", "0",
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "auth.login.max-failures", "2")));
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

        exercise(api, new FakeConverter(server.backend()));

        List<String> violations = new ArrayList<>();
        api.exchanges.forEach(exchange -> violations.addAll(contract.violations(exchange)));
        assertThat(violations).as("exchanges that differ from openapi.yaml").isEmpty();
        assertThat(contract.unexercised()).as("operations of openapi.yaml no exchange used").isEmpty();
        assertThat(api.exchanges).hasSizeGreaterThan(40);
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
    private static void exercise(Recorder api, FakeConverter converter) throws Exception {
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
        register(api, "zed@example.com");
        api.send("POST", "/login", null, null, null, "Authorization", basic);
        api.send("POST", "/login", null, null, null, "Authorization", "Basic !!!");
        api.send("POST", "/validate", token, null, null);
        api.send("POST", "/validate", "forged", null, null);

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
        final List<OpenApiContract.Exchange> exchanges = new ArrayList<>();

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
