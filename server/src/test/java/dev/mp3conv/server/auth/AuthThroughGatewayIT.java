package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.testing.MemoryMongo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Split roles: a gateway-only process forwards the auth routes to the auth service, so a client (the
 * CLI, the course system's client, an Ingress) only ever needs the gateway's address.
 */
class AuthThroughGatewayIT {
    @TempDir
    Path authDir;
    @TempDir
    Path gatewayDir;

    @Test
    void everyAuthRouteWorksThroughTheGateway() {
        try (MemoryMongo mongo = MemoryMongo.start("through-gateway");
             Mp3convServer auth = AuthHttp.start(authDir, Map.of("mongodb.uri", mongo.uri()));
             Mp3convServer gateway = AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway", "mongodb.uri", mongo.uri(),
                     "auth.url", "http://127.0.0.1:" + auth.port()))) {
            AuthHttp client = new AuthHttp(gateway);
            String token = client.registerAndLogIn("split@example.com", "long enough password");

            assertThat(client.getWithToken("/api/v1/users/me", token).body()).contains("split@example.com");
            assertThat(client.getWithToken("/api/v1/jobs", token).statusCode())
                    .as("the gateway verifies the token it got through itself").isEqualTo(200);

            HttpResponse<String> login = client.post("/login", "Authorization",
                    AuthHttp.basic("split@example.com", "long enough password"));
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.body()).startsWith("eyJ");
            assertThat(client.post("/validate", "Authorization", "Bearer " + login.body()).statusCode()).isEqualTo(200);
            assertThat(client.get("/.well-known/jwks.json").body()).contains("\"kty\":\"EC\"");

            HttpResponse<String> wrong = client.postJson("/api/v1/auth/token",
                    Map.of("email", "split@example.com", "password", "not the password"));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("Content-Type")).contains("application/problem+json");
        }
    }

    @Test
    void anUnreachableAuthServiceIsA503Problem() {
        try (MemoryMongo mongo = MemoryMongo.start("through-gateway");
             Mp3convServer auth = AuthHttp.start(authDir, Map.of("mongodb.uri", mongo.uri()));
             Mp3convServer gateway = AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway", "mongodb.uri", mongo.uri(),
                     "auth.url", "http://127.0.0.1:" + auth.port()))) {
            auth.close(); // closing twice is a no-op
            HttpResponse<String> token = new AuthHttp(gateway).postJson("/api/v1/auth/token",
                    Map.of("email", "a@example.com", "password", "long enough password"));
            assertThat(token.statusCode()).isEqualTo(503);
            assertThat(AuthHttp.json(token).get("detail").asText()).contains("auth service is unavailable");
        }
    }
}
