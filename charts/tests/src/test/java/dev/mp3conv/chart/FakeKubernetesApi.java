package dev.mp3conv.chart;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback stand-in for the Kubernetes API that answers only what the chart's {@code lookup}
 * calls ask: discovery of core/v1 and GET of a Secret. helm-java's template runs the engine
 * with cluster access, so {@code lookup} needs an API server; this one says "not found"
 * (a fresh install) unless a test has put Secrets in it (an upgrade). The surefire
 * configuration points KUBECONFIG at the file this class writes.
 */
final class FakeKubernetesApi {
    private static final FakeKubernetesApi INSTANCE = new FakeKubernetesApi();

    private final Map<String, Map<String, String>> secrets = new ConcurrentHashMap<>();
    private final HttpServer server;

    private FakeKubernetesApi() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            startAsDaemon(server);
            writeKubeconfig(server.getAddress().getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The server's dispatcher thread inherits the daemon flag of the thread that starts it;
     * a daemon one lets the test JVM exit without anyone stopping the server.
     */
    private static void startAsDaemon(HttpServer server) {
        Thread starter = new Thread(server::start, "fake-kubernetes-api-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the fake Kubernetes API", e);
        }
    }

    static FakeKubernetesApi instance() {
        return INSTANCE;
    }

    /** Makes the next renders see these Secrets (name → plain-text data) in the release namespace. */
    void existingSecrets(Map<String, Map<String, String>> existing) {
        secrets.clear();
        secrets.putAll(existing);
    }

    private static void writeKubeconfig(int port) throws IOException {
        // Never overwrite a developer's real kubeconfig: write only where the build said to.
        String path = System.getenv("KUBECONFIG");
        String expected = System.getProperty("mp3conv.fakeKubeconfig");
        if (path == null || expected == null || !Path.of(path).equals(Path.of(expected))) {
            throw new IllegalStateException("run the chart tests through Maven: it points KUBECONFIG at "
                    + "target/fake-kubeconfig.yaml (KUBECONFIG=" + path + ")");
        }
        Path file = Path.of(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: fake
                    cluster:
                      server: http://127.0.0.1:%d
                contexts:
                  - name: fake
                    context:
                      cluster: fake
                      user: fake
                current-context: fake
                users:
                  - name: fake
                    user:
                      token: not-a-real-token
                """.formatted(port));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String secretsPrefix = "/api/v1/namespaces/" + Chart.NAMESPACE + "/secrets/";
        if (!exchange.getRequestMethod().equals("GET")) {
            respond(exchange, 405, status(405, "MethodNotAllowed", "read-only fake API"));
        } else if (path.equals("/api/v1")) {
            respond(exchange, 200, coreResources());
        } else if (path.equals("/api")) {
            JsonObject versions = new JsonObject();
            versions.addProperty("kind", "APIVersions");
            JsonArray list = new JsonArray();
            list.add("v1");
            versions.add("versions", list);
            respond(exchange, 200, versions);
        } else if (path.startsWith(secretsPrefix)) {
            String name = path.substring(secretsPrefix.length());
            Map<String, String> data = secrets.get(name);
            respond(exchange, data == null ? 404 : 200,
                    data == null ? status(404, "NotFound", "secrets \"" + name + "\" not found") : secret(name, data));
        } else {
            respond(exchange, 404, status(404, "NotFound", "the fake API serves no " + path));
        }
    }

    private static JsonObject coreResources() {
        JsonObject secretResource = new JsonObject();
        secretResource.addProperty("name", "secrets");
        secretResource.addProperty("singularName", "secret");
        secretResource.addProperty("namespaced", true);
        secretResource.addProperty("kind", "Secret");
        JsonArray verbs = new JsonArray();
        verbs.add("get");
        secretResource.add("verbs", verbs);
        JsonArray resources = new JsonArray();
        resources.add(secretResource);
        JsonObject list = new JsonObject();
        list.addProperty("kind", "APIResourceList");
        list.addProperty("apiVersion", "v1");
        list.addProperty("groupVersion", "v1");
        list.add("resources", resources);
        return list;
    }

    private static JsonObject secret(String name, Map<String, String> data) {
        JsonObject metadata = new JsonObject();
        metadata.addProperty("name", name);
        metadata.addProperty("namespace", Chart.NAMESPACE);
        JsonObject encoded = new JsonObject();
        data.forEach((key, value) -> encoded.addProperty(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        JsonObject secret = new JsonObject();
        secret.addProperty("apiVersion", "v1");
        secret.addProperty("kind", "Secret");
        secret.add("metadata", metadata);
        secret.addProperty("type", "Opaque");
        secret.add("data", encoded);
        return secret;
    }

    private static JsonObject status(int code, String reason, String message) {
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("apiVersion", "v1");
        status.addProperty("status", "Failure");
        status.addProperty("reason", reason);
        status.addProperty("message", message);
        status.addProperty("code", code);
        return status;
    }

    private static void respond(HttpExchange exchange, int code, JsonObject body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
