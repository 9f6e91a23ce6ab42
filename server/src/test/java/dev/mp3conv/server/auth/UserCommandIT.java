package dev.mp3conv.server.auth;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.server.Main;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mp3conv-server user …} against the embedded store of a data directory, then a server on the
 * same directory that sees the result.
 */
class UserCommandIT {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String stdin, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cmd = Main.commandLine(() -> Settings.load(Map.of(), Map.of("app.data-dir", dir.toString())),
                () -> new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void addListSetPasswordAndDelete() {
        assertThat(run("first password 1\n", "user", "add", "Ops@Example.com", "--admin", "--password-stdin")).isZero();
        assertThat(out.toString()).contains("created ops@example.com (admin)");
        assertThat(run("user password 1\n", "user", "add", "user@example.com", "--password-stdin")).isZero();

        assertThat(run("", "user", "list")).isZero();
        assertThat(out.toString()).contains("ops@example.com").contains("admin").contains("user@example.com")
                .doesNotContain("argon2");

        assertThat(run("second password 2\n", "user", "set-password", "ops@example.com", "--password-stdin")).isZero();
        assertThat(run("", "user", "delete", "user@example.com")).isZero();

        try (Mp3convServer server = AuthHttp.start(dir, Map.of())) {
            AuthHttp http = new AuthHttp(server);
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", "ops@example.com", "password", "first password 1"))
                    .statusCode()).isEqualTo(401);
            String token = http.token("ops@example.com", "second password 2");
            assertThat(AuthHttp.json(http.getWithToken("/api/v1/users/me", token)).get("admin").asBoolean()).isTrue();
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", "user@example.com", "password", "user password 1"))
                    .statusCode()).isEqualTo(401);
        }
    }

    @Test
    void refusesWeakPasswordsDuplicatesUnknownUsersAndMissingInput() {
        assertThat(run("short\n", "user", "add", "a@example.com", "--password-stdin")).isEqualTo(1);
        assertThat(err.toString()).contains("at least 10 characters");

        assertThat(run("long enough password\n", "user", "add", "a@example.com", "--password-stdin")).isZero();
        assertThat(run("long enough password\n", "user", "add", "A@example.com", "--password-stdin")).isEqualTo(1);
        assertThat(err.toString()).contains("already exists");

        assertThat(run("", "user", "delete", "nobody@example.com")).isEqualTo(1);
        assertThat(err.toString()).contains("no user nobody@example.com");
        assertThat(run("long enough password\n", "user", "set-password", "nobody@example.com", "--password-stdin")).isEqualTo(1);

        assertThat(run("", "user", "add", "b@example.com", "--password-stdin")).isEqualTo(2);
        assertThat(err.toString()).contains("no password on standard input");
    }
}
