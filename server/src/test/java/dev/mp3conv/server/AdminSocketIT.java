package dev.mp3conv.server;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin socket (health, metrics) is for the machine, not the public: bound to loopback unless
 * ADMIN_HOST says otherwise, and its anonymous answers name no file. A socket bound to 127.0.0.1 is not
 * reachable at 127.0.0.2, one bound to 0.0.0.0 is: that tells the two apart without leaving loopback.
 */
class AdminSocketIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    private Mp3convServer server;

    private Mp3convServer start(Map<String, String> env) {
        // no admin.host or server.host here: the defaults are what is tested
        Map<String, String> config = new HashMap<>(Map.of("app.data-dir", dataDir.toString(),
                "app.roles", "gateway,converter", "auth.url", "http://127.0.0.1:1",
                "server.port", "0", "admin.port", "0"));
        server = Mp3convServer.start(Settings.load(env, config), (backend, settings, auth) -> ServerWithFakeAuth.verifier());
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void byDefaultTheAdminSocketListensOnLoopbackOnlyAndTheApiEverywhere() throws Exception {
        start(Map.of());
        assertThat(get("127.0.0.1", server.adminPort(), "/observe/health").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> get("127.0.0.2", server.adminPort(), "/observe/health"))
                .isInstanceOf(ConnectException.class);
        assertThat(get("127.0.0.2", server.port(), "/api/v1/jobs").statusCode()).as("public socket on 0.0.0.0").isEqualTo(401);
    }

    @Test
    void adminHostOpensItWhereTheDeploymentSays() throws Exception {
        start(Map.of("ADMIN_HOST", "0.0.0.0"));
        assertThat(get("127.0.0.2", server.adminPort(), "/observe/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void healthAnswersNameNoFile() throws Exception {
        start(Map.of());
        for (String path : new String[] {"/observe/health", "/observe/health/ready", "/observe/health/live"}) {
            HttpResponse<String> health = get("127.0.0.1", server.adminPort(), path);
            assertThat(health.body()).as(path).contains("\"status\":\"UP\"")
                    .doesNotContain(dataDir.toString()).doesNotContainPattern("\"/[^\"]*\"")
                    .doesNotContain("/usr/").doesNotContain("/tmp/");
        }
        assertThat(get("127.0.0.1", server.adminPort(), "/observe/health").body())
                .as("the checks are still listed").contains("\"name\":\"ffmpeg\"", "\"name\":\"listener\"");
    }

    private HttpResponse<String> get(String host, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
