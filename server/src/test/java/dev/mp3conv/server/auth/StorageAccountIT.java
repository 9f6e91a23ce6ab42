package dev.mp3conv.server.auth;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.server.Main;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's storage through the real auth: {@code GET /api/v1/users/me} shows use and quota, uploads with
 * real tokens are counted, {@code mp3conv-server user quota} sets a per-user value, admins are unlimited.
 */
class StorageAccountIT {
    private static final String BOUNDARY = "----storage-it";
    @TempDir
    Path dir;

    @Test
    void usersSeeTheirUseAndQuotaAndOperatorsSetItPerUser() throws Exception {
        Map<String, String> settings = Map.of("app.roles", "auth,gateway", "quota.user", "1m",
                "auth.admin.email", "ops@example.com", "auth.admin.password", "admin password 1");
        String token;
        try (Mp3convServer server = AuthHttp.start(dir, settings)) {
            AuthHttp http = new AuthHttp(server);
            token = http.registerAndLogIn("user@example.com", "user password 1");
            JsonNode fresh = AuthHttp.json(http.getWithToken("/api/v1/users/me", token));
            assertThat(fresh.get("storage_used").asLong()).isZero();
            assertThat(fresh.get("storage_quota").asLong()).isEqualTo(1L << 20);

            assertThat(upload(server, token, 600_000).statusCode()).isEqualTo(202);
            assertThat(AuthHttp.json(http.getWithToken("/api/v1/users/me", token)).get("storage_used").asLong())
                    .isEqualTo(600_000);
            HttpResponse<String> refused = upload(server, token, 600_000);
            assertThat(refused.statusCode()).isEqualTo(413);
            assertThat(refused.body()).contains("600000 of 1048576 bytes are in use");

            String admin = http.token("ops@example.com", "admin password 1");
            JsonNode ops = AuthHttp.json(http.getWithToken("/api/v1/users/me", admin));
            assertThat(ops.has("storage_quota")).as("admins are unlimited unless set").isFalse();
            assertThat(upload(server, admin, 1_500_000).statusCode()).isEqualTo(202);
        }

        assertThat(run("user", "quota", "user@example.com", "2m")).isZero();
        assertThat(out.toString()).contains("quota of user@example.com: 2097152 bytes, 600000 bytes in use");
        assertThat(run("user", "quota", "ops@example.com", "1m")).isZero();
        assertThat(run("user", "quota", "user@example.com", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("SIZE must be");
        assertThat(run("user", "quota", "nobody@example.com", "1m")).isEqualTo(1);

        try (Mp3convServer server = AuthHttp.start(dir, settings)) {
            AuthHttp http = new AuthHttp(server);
            assertThat(AuthHttp.json(http.getWithToken("/api/v1/users/me", token)).get("storage_quota").asLong())
                    .isEqualTo(2L << 20);
            assertThat(upload(server, token, 600_000).statusCode()).as("room under the new quota").isEqualTo(202);
            String admin = http.token("ops@example.com", "admin password 1");
            assertThat(upload(server, admin, 10).statusCode()).as("the admin's set quota is full").isEqualTo(413);
        }
        assertThat(run("user", "quota", "ops@example.com", "default")).isZero();
        assertThat(out.toString()).contains("quota of ops@example.com: unlimited (the default)");
    }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cmd = Main.commandLine(() -> Settings.load(Map.of(), Map.of("app.data-dir", dir.toString())),
                () -> new ByteArrayInputStream(new byte[0]));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private static HttpResponse<String> upload(Mp3convServer server, String token, int size) throws Exception {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + size + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(tail, 0, body, head.length + size, tail.length);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/jobs"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
