package dev.mp3conv.server.auth;

import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.server.Mp3convServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class RegistrationClosedIT {
    @TempDir
    Path dir;

    @Test
    void withClosedRegistrationOnlyAnAdminCreatesAccounts() {
        try (Mp3convServer server = AuthHttp.start(dir, Map.of(
                "auth.open-registration", "false",
                "auth.admin.email", "Admin@Example.com ",
                "auth.admin.password", "admin password 1"))) {
            AuthHttp http = new AuthHttp(server);
            Map<String, String> body = Map.of("email", "new@example.com", "password", "long enough password");

            assertThat(http.postJson("/api/v1/users", body).statusCode()).isEqualTo(401);
            String admin = http.token("admin@example.com", "admin password 1");
            assertThat(http.postJson("/api/v1/users", body, "Authorization", "Bearer " + admin).statusCode()).isEqualTo(201);
            String user = http.token("new@example.com", "long enough password");
            assertThat(http.postJson("/api/v1/users", Map.of("email", "third@example.com", "password", "long enough password"),
                    "Authorization", "Bearer " + user).statusCode()).isEqualTo(403);
        }
    }
}
