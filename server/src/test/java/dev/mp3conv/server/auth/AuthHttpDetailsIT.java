package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.mp3conv.server.Mp3convServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP details of the auth role a client relies on: the 401 challenge and the user's timestamps.
 */
class AuthHttpDetailsIT {
    @TempDir
    static Path dir;
    private static Mp3convServer server;
    private static AuthHttp http;

    @BeforeAll
    static void start() {
        server = AuthHttp.start(dir, Map.of());
        http = new AuthHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRegisteredUsersCreatedAtHasMillisecondsLikeEveryOtherTimestamp() {
        String email = "user-" + UUID.randomUUID() + "@example.com";
        HttpResponse<String> created = http.postJson("/api/v1/users", Map.of("email", email, "password", "long enough password"));
        assertThat(created.statusCode()).isEqualTo(201);
        Instant registered = Instant.parse(AuthHttp.json(created).get("created_at").asText());

        String token = http.token(email, "long enough password");
        Instant read = Instant.parse(AuthHttp.json(http.getWithToken("/api/v1/users/me", token)).get("created_at").asText());

        assertThat(registered.getNano() % 1_000_000).as("sub-millisecond digits of %s", registered).isZero();
        assertThat(read).as("what a later read returns").isEqualTo(registered);
    }

    @Test
    void a401CarriesABearerChallengeThatSaysWhetherTheTokenWasBad() {
        HttpResponse<String> none = http.get("/api/v1/users/me");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");

        HttpResponse<String> bad = http.getWithToken("/api/v1/users/me", "not.a.token");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"invalid_token\"");
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
