package dev.mp3conv.server.notify;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import dev.mp3conv.model.Json;
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

/**
 * Webhook targets through the API and through the call: the PUT route refuses internal targets in
 * any notation even with plain http allowed; the call does not follow redirects, and connects to the
 * address it checked (a name re-pointed into the private network between set and call is not called,
 * and a second lookup never happens). Names are answered by a fake resolver: nothing leaves loopback.
 */
class WebhookTargetsIT {
    private static final String TOKEN = "targets-token";
    private static final String NAME = "hooks.example.test";

    @TempDir
    Path dataDir;

    private final String userId = new ObjectId().toHexString();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<String> hostHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger redirectTargetCalls = new AtomicInteger();
    private NotifierFixture fixture;
    private HttpServer receiver;
    private WebServer api;
    private UserWebhooks webhooks;
    /** What the fake DNS answers for {@link #NAME}, one entry per lookup; the last one repeats. */
    private final List<byte[]> answers = new CopyOnWriteArrayList<>();
    private final AtomicInteger lookups = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        fixture = new NotifierFixture(dataDir, Map.of("webhooks.retry-backoff", "50ms"));
        var database = fixture.server.backend().mongo();
        database.collection("users").insertOne(new Document("_id", new ObjectId(userId))
                .append("email", "targets@example.test"));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> answer(exchange, 204));
        receiver.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/target");
            answer(exchange, 307);
        });
        receiver.createContext("/target", exchange -> {
            redirectTargetCalls.incrementAndGet();
            answer(exchange, 204);
        });
        receiver.start();

        webhooks = new UserWebhooks(fixture.server.backend().mongo(), fixture.cipher());
        AuthFilter auth = new AuthFilter(token -> TOKEN.equals(token)
                ? Optional.of(new Principal(userId, "targets@example.test", false))
                : Optional.empty());
        // the operator allowed plain http, not private targets
        WebhookService service = new WebhookService(auth, webhooks, new WebhookTargets.Policy(true, false), this::resolve);
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

    private InetAddress[] resolve(String host) throws java.net.UnknownHostException {
        if (!host.equals(NAME)) {
            return InetAddress.getAllByName(host); // literals only in these tests
        }
        int n = lookups.getAndIncrement();
        return new InetAddress[] {InetAddress.getByAddress(NAME, answers.get(Math.min(n, answers.size() - 1)))};
    }

    private void answer(HttpExchange exchange, int status) throws IOException {
        hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Test
    void thePutRouteRefusesInternalTargetsInEveryNotationEvenWithHttpAllowed() throws Exception {
        answers.add(new byte[] {10, 0, 0, 7});
        for (String url : List.of("http://127.0.0.1/", "http://a@127.0.0.1/", "http://2130706433/", "http://0x7f.1/",
                "http://0177.0.0.1/", "http://127.1/", "http://127.0.0.1./", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:7f00:1]/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://[fe80::1%25lo]/",
                "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/", "http://198.18.0.1/", "http://240.0.0.1/",
                "http://255.255.255.255/", "http://224.0.0.1/", "http://[fd00::1]/", "http://localhost:8080/",
                "http://" + NAME + "/hook")) {
            HttpResponse<String> res = put("{\"url\":" + Json.mapper().writeValueAsString(url) + "}");
            assertThat(res.statusCode()).as(url).isEqualTo(400);
            assertThat(res.headers().firstValue("Content-Type")).as(url).hasValue("application/problem+json");
        }
        assertThat(webhooks.find(userId)).as("nothing was stored").isEmpty();
        assertThat(put("{\"url\":\"http://93.184.216.34/hook\"}").statusCode()).as("public http is allowed").isEqualTo(200);
    }

    @Test
    void aNameRepointedIntoThePrivateNetworkAfterItWasSetIsNotCalled() throws Exception {
        answers.add(new byte[] {93, (byte) 184, (byte) 216, 34}); // when set: public
        answers.add(new byte[] {127, 0, 0, 1}); // when called: the receiver's loopback
        int port = receiver.getAddress().getPort();
        assertThat(put("{\"url\":\"http://" + NAME + ":" + port + "/hook\"}").statusCode()).isEqualTo(200);

        double failedBefore = fixture.count("webhook", "failed");
        double retriedBefore = fixture.count("webhook", "retried");
        try (WebhookSender sender = sender(new WebhookTargets.Policy(true, false))) {
            sender.deliver(finishedJob());
        }
        assertThat(fixture.count("webhook", "failed")).isEqualTo(failedBefore + 1);
        assertThat(fixture.count("webhook", "retried")).as("refused at once, not retried").isEqualTo(retriedBefore);
        assertThat(lookups).as("one lookup when set, one for the call").hasValue(2);
        assertThat(hostHeaders).as("the receiver on 127.0.0.1 was never reached").isEmpty();
    }

    @Test
    void theCallConnectsToTheAddressItCheckedKeepingTheNameAsHost() throws Exception {
        // first lookup 127.0.0.1, where the receiver listens; any later lookup would answer 127.0.0.3, where
        // nothing does: a client that looked up again after the check would fail here
        answers.add(new byte[] {127, 0, 0, 1});
        answers.add(new byte[] {127, 0, 0, 3});
        int port = receiver.getAddress().getPort();
        webhooks.store(userId, "http://" + NAME + ":" + port + "/hook");

        double sentBefore = fixture.count("webhook", "sent");
        try (WebhookSender sender = sender(new WebhookTargets.Policy(true, true))) {
            sender.deliver(finishedJob());
        }
        assertThat(fixture.count("webhook", "sent")).isEqualTo(sentBefore + 1);
        assertThat(lookups).hasValue(1);
        assertThat(hostHeaders).containsExactly(NAME + ":" + port);
    }

    @Test
    void overHttpsTheCheckedAddressIsCalledWithTheNameAsServerNameAndCertificateName() throws Exception {
        answers.add(new byte[] {127, 0, 0, 1});
        Path store = keyStore("dns:" + NAME);
        HttpsServer tls = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        SSLContext serverContext = serverContext(store);
        tls.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        List<String> serverNames = new CopyOnWriteArrayList<>();
        tls.createContext("/hook", exchange -> {
            SSLSession session = ((HttpsExchange) exchange).getSSLSession();
            if (session instanceof ExtendedSSLSession extended) {
                extended.getRequestedServerNames().forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
            }
            answer(exchange, 204);
        });
        tls.start();
        try {
            webhooks.store(userId, "https://" + NAME + ":" + tls.getAddress().getPort() + "/hook");
            double sentBefore = fixture.count("webhook", "sent");
            try (WebhookSender sender = new WebhookSender(webhooks, Duration.ofSeconds(5), Duration.ofMillis(50),
                    new NotifyMetrics(fixture.server.backend().meters()), new WebhookTargets.Policy(false, true),
                    this::resolve, clientTrusting(store))) {
                sender.deliver(finishedJob());
            }
            assertThat(fixture.count("webhook", "sent")).isEqualTo(sentBefore + 1);
            assertThat(serverNames).as("TLS server name").containsExactly(NAME);
            assertThat(hostHeaders).containsExactly(NAME + ":" + tls.getAddress().getPort());

            // the default trust (the JDK's CAs) refuses this self-signed certificate: nothing is sent
            double failedBefore = fixture.count("webhook", "failed");
            try (WebhookSender sender = sender(new WebhookTargets.Policy(false, true))) {
                sender.deliver(finishedJob());
            }
            assertThat(fixture.count("webhook", "failed")).isEqualTo(failedBefore + 1);
            assertThat(hostHeaders).hasSize(1);

            // a certificate for another name is refused even though the address is the checked one
            Path other = keyStore("dns:other.example.test");
            HttpsServer impostor = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            impostor.setHttpsConfigurator(new HttpsConfigurator(serverContext(other)));
            impostor.createContext("/hook", exchange -> answer(exchange, 204));
            impostor.start();
            try {
                webhooks.store(userId, "https://" + NAME + ":" + impostor.getAddress().getPort() + "/hook");
                failedBefore = fixture.count("webhook", "failed");
                try (WebhookSender sender = new WebhookSender(webhooks, Duration.ofSeconds(5), Duration.ofMillis(50),
                        new NotifyMetrics(fixture.server.backend().meters()), new WebhookTargets.Policy(false, true),
                        this::resolve, clientTrusting(other))) {
                    sender.deliver(finishedJob());
                }
                assertThat(fixture.count("webhook", "failed")).isEqualTo(failedBefore + 1);
                assertThat(hostHeaders).hasSize(1);
            } finally {
                impostor.stop(0);
            }
        } finally {
            tls.stop(0);
        }
    }

    private static final char[] STORE_PASSWORD = "webhook-test".toCharArray();

    // a throw-away key pair and self-signed certificate, made with the JDK's keytool
    private Path keyStore(String san) throws Exception {
        Path store = dataDir.resolve("tls-" + san.replace(':', '-') + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "hook", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + san.substring(4), "-ext", "SAN=" + san, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        return store;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD);
        }
        return keyStore;
    }

    private static SSLContext serverContext(Path store) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(store), STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext clientTrusting(Path store) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(store));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        webhooks.store(userId, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/redirect");
        double failedBefore = fixture.count("webhook", "failed");
        try (WebhookSender sender = sender(new WebhookTargets.Policy(true, true))) {
            sender.deliver(finishedJob());
        }
        assertThat(fixture.count("webhook", "failed")).as("a 307 ends the delivery").isEqualTo(failedBefore + 1);
        assertThat(hostHeaders).as("called once, not retried").hasSize(1);
        assertThat(redirectTargetCalls).as("the Location was not followed").hasValue(0);
    }

    @Test
    void aSecretStoredInPlaintextByAnEarlierVersionIsEncryptedOnFirstUse() throws Exception {
        String legacy = "ab".repeat(32);
        var users = fixture.server.backend().mongo().collection("users");
        users.updateOne(new Document("_id", new ObjectId(userId)), new Document("$set",
                new Document("webhook_url", "https://93.184.216.34/hook").append("webhook_secret", legacy)));

        assertThat(webhooks.find(userId)).map(UserWebhooks.Webhook::secret).hasValue(legacy);
        Document after = users.find(new Document("_id", new ObjectId(userId))).first().orElseThrow();
        assertThat(after.getString("webhook_secret")).startsWith("v1:").doesNotContain(legacy);
        assertThat(webhooks.find(userId)).map(UserWebhooks.Webhook::secret).hasValue(legacy);

        // bound to its user: the same value copied to another user does not decrypt
        String other = new ObjectId().toHexString();
        users.insertOne(new Document("_id", new ObjectId(other)).append("email", "other@example.test")
                .append("webhook_url", "https://93.184.216.34/hook").append("webhook_secret", after.getString("webhook_secret")));
        assertThat(webhooks.find(other)).isEmpty();
    }

    private WebhookSender sender(WebhookTargets.Policy policy) {
        return new WebhookSender(webhooks, Duration.ofSeconds(5), Duration.ofMillis(50),
                new NotifyMetrics(fixture.server.backend().meters()), policy, this::resolve);
    }

    private Job finishedJob() {
        return fixture.done(userId, "targets@example.test", "target.mp4");
    }

    private HttpResponse<String> put(String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + WebhookService.PATH))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
