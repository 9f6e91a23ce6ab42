package dev.mp3conv.server.notify;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.Problems;
import dev.mp3conv.server.jobs.Job;
import io.helidon.webserver.WebServer;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook path end to end: a user sets a webhook through the API, a finished job is POSTed to a
 * JDK HttpServer that fails twice with 500, and the notifier retries, signs, and stops after success.
 * No SMTP server is configured, so the owner is also notified by the log channel.
 */
class WebhookIT {
    private static final String TOKEN = "test-token";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    private final String userId = new ObjectId().toHexString();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger(2);
    private final HttpClient client = HttpClient.newHttpClient();
    private NotifierFixture fixture;
    private HttpServer receiver;
    private WebServer api;

    @BeforeEach
    void start() throws IOException {
        // the notifier may call the loopback receiver; the API below refuses http and private targets
        fixture = new NotifierFixture(dataDir, Map.of("webhooks.allow-http", "true", "webhooks.allow-private", "true",
                "webhooks.retry-backoff", "50ms"));
        var database = fixture.server.backend().mongo();
        database.collection("users").insertOne(new Document("_id", new ObjectId(userId))
                .append("email", "hook@example.test"));

        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", this::receive);
        receiver.start();

        AuthFilter auth = new AuthFilter(token -> TOKEN.equals(token)
                ? Optional.of(new Principal(userId, "hook@example.test", false))
                : Optional.empty());
        WebhookService service = new WebhookService(auth,
                new UserWebhooks(fixture.server.backend().mongo(), fixture.cipher()),
                new WebhookTargets.Policy(false, false), InetAddress::getAllByName);
        api = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> {
                    Problems.register(r);
                    r.register(WebhookService.PATH, service);
                })
                .build().start();
    }

    @AfterEach
    void stop() {
        api.stop();
        receiver.stop(0);
        fixture.close();
        client.close();
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        calls.add(new Call(exchange.getRequestHeaders().getFirst("X-Mp3conv-Signature"), body));
        int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Test
    void aDoneJobIsPostedSignedRetriedOn500AndNotAfterSuccess() throws Exception {
        // the route is https-only here; the notifier under test allows http so the JDK server can receive
        HttpResponse<String> refused = put("{\"url\":\"http://127.0.0.1:1/hook\"}", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(400);
        HttpResponse<String> set = put("{\"url\":\"https://hooks.example.test/mp3\"}", TOKEN);
        assertThat(set.statusCode()).isEqualTo(200);
        String secret = Json.mapper().readTree(set.body()).get("secret").asText();
        assertThat(secret).hasSize(64);
        Document stored = fixture.server.backend().mongo().collection("users")
                .find(new Document("_id", new ObjectId(userId))).first().orElseThrow();
        assertThat(stored.getString("webhook_secret")).as("encrypted at rest").startsWith("v1:").doesNotContain(secret);
        // point it at the local receiver the way an operator with webhooks.allow-http would
        fixture.server.backend().mongo().collection("users").updateOne(
                new Document("_id", new ObjectId(userId)),
                new Document("$set", new Document("webhook_url",
                        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")));

        double sentBefore = fixture.count("webhook", "sent");
        Job job = fixture.done(userId, "hook@example.test", "hooked.mp4");
        fixture.publish(job);

        await().atMost(PATIENCE).until(() -> fixture.count("webhook", "sent") > sentBefore);
        assertThat(calls).hasSize(3);
        for (Call call : calls) {
            assertThat(call.signature()).isEqualTo("sha256=" + hmac(secret, call.body()));
        }
        JobView posted = Json.mapper().readValue(calls.get(2).body(), JobView.class);
        assertThat(posted.id()).isEqualTo(job.id());
        assertThat(posted.state()).isEqualTo(dev.mp3conv.model.JobState.DONE);
        assertThat(posted.mp3Size()).isEqualTo(1_000_000L);
        Job notified = fixture.reload(job);
        assertThat(notified.notifyChannel()).isEqualTo("log");
        assertThat(notified.notifiedAt()).isNotNull();

        // a redelivery neither mails nor calls again
        double skippedBefore = fixture.count("log", "skipped");
        fixture.publish(job);
        await().atMost(PATIENCE).until(() -> fixture.count("log", "skipped") > skippedBefore);
        assertThat(calls).hasSize(3);
    }

    @Test
    void theRouteNeedsATokenShowsTheUrlWithoutTheSecretAndDeletes() throws Exception {
        assertThat(put("{\"url\":\"https://hooks.example.test/a\"}", "wrong").statusCode()).isEqualTo(401);
        assertThat(put("{\"url\":\"ftp://hooks.example.test/a\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(put("{\"url\":\"not a url\"}", TOKEN).statusCode()).isEqualTo(400);
        HttpResponse<String> internal = put("{\"url\":\"https://169.254.169.254/latest/meta-data\"}", TOKEN);
        assertThat(internal.statusCode()).as("no webhooks into the operator's network").isEqualTo(400);
        assertThat(internal.body()).contains("public address");
        assertThat(put("{\"url\":\"https://hooks.example.test/a\"}", TOKEN).statusCode()).isEqualTo(200);

        HttpResponse<String> shown = send(HttpRequest.newBuilder(uri()).header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(shown.statusCode()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(shown.body());
        assertThat(body.get("url").asText()).isEqualTo("https://hooks.example.test/a");
        assertThat(body.has("secret")).isFalse();

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri()).header("Authorization", "Bearer " + TOKEN).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        HttpResponse<String> gone = send(HttpRequest.newBuilder(uri()).header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        Document user = fixture.server.backend().mongo().collection("users")
                .find(new Document("_id", new ObjectId(userId))).first().orElseThrow();
        assertThat(user).doesNotContainKeys("webhook_url", "webhook_secret").containsEntry("email", "hook@example.test");
    }

    @Test
    void withoutSmtpAFinishedJobIsLoggedAndRecordedOnce() throws Exception {
        double sentBefore = fixture.count("log", "sent");
        Job job = fixture.failed(new ObjectId().toHexString(), "nohook@example.test", "broken.avi", "not a media file");
        fixture.publish(job);

        await().atMost(PATIENCE).until(() -> fixture.reload(job).notifiedAt() != null);
        assertThat(fixture.reload(job).notifyChannel()).isEqualTo("log");
        await().atMost(PATIENCE).until(() -> fixture.count("log", "sent") == sentBefore + 1);
        assertThat(calls).isEmpty();

        HttpResponse<String> metrics = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.server.adminPort() + "/observe/metrics")).GET());
        assertThat(metrics.body()).containsPattern("mp3conv_notifications_total\\{[^}]*channel=\"log\"[^}]*outcome=\"sent\"");
    }

    private HttpResponse<String> put(String json, String token) throws Exception {
        return send(HttpRequest.newBuilder(uri())
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + api.port() + WebhookService.PATH);
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }

    private record Call(String signature, byte[] body) {
    }
}
