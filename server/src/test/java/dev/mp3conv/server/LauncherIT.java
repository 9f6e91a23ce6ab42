package dev.mp3conv.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged launcher ({@code target/mp3conv-server}, written by {@code package}) as an operator runs it.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("target", "mp3conv-server");

    @TempDir
    Path dataDir;

    private Process launch(Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MP3CONV_DATA_DIR", dataDir.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void unknownRoleExitsNonZeroWithOneLine() throws Exception {
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("APP_ROLES", "gateway,bogus"), out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).containsExactly("mp3conv-server: unknown role 'bogus' in APP_ROLES (app.roles); "
                + "expected a comma list of auth, gateway, converter, notifier");
    }

    @Test
    void badMongoUriExitsNonZeroWithOneLine() throws Exception {
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("MONGODB_URI", "mongodb://127.0.0.1:1", "JAVA_OPTS", "-Dmongodb.timeout=1s"), out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).startsWith("mp3conv-server: cannot reach MongoDB at mongodb://127.0.0.1:1/");
    }

    @Test
    void startsAnswersHealthAndStopsCleanlyOnSigterm() throws Exception {
        int port = freePort();
        int admin = freePort();
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("SERVER_PORT", String.valueOf(port), "ADMIN_PORT", String.valueOf(admin)), out);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health"))
                    .timeout(Duration.ofSeconds(5)).build();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> health = http.send(ready, HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"UP\"");
            });
        } finally {
            process.destroy(); // SIGTERM
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute of SIGTERM").isTrue();
        assertThat(process.exitValue()).as("exit code of a JVM ended by SIGTERM").isEqualTo(143);
        assertThat(Files.readString(out)).contains("mp3conv up", "shutting down", "stopped").doesNotContain("Exception");
        assertThat(dataDir.resolve("metadata").resolve("metadata.mv")).exists();
    }
}
