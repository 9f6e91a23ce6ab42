package dev.mp3conv.server.auth;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mp3conv.server.Main;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.testing.MemoryMongo;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tokens are revoked by a password change or by deleting the user: at once in the process that made the
 * change, within {@code auth.revocation.cache-ttl} in other processes (a gateway without the auth role
 * that reads the users collection through the shared MongoDB; the auth process for a deletion made by
 * {@code mp3conv-server user delete}), on every route that takes a token. The processes are separate
 * servers in this JVM, each with its own verifier and cache, sharing a MongoDB-wire store.
 */
class RevocationIT {
    private static final String PASSWORD = "first password 1";
    private static final String NEW_PASSWORD = "second password 2";
    private static final String BOUNDARY = "revocation-boundary";

    @TempDir
    Path authDir;
    @TempDir
    Path gatewayDir;

    @Test
    void aPasswordChangeRevokesEarlierTokensAtOnceOnEveryRouteOfTheProcessThatMadeIt() {
        // a TTL of an hour: whatever is refused below was refused because this process recorded the change
        try (Mp3convServer server = AuthHttp.start(authDir, Map.of("app.roles", "auth,gateway",
                "auth.revocation.cache-ttl", "1h"))) {
            AuthHttp http = new AuthHttp(server);
            String old = http.registerAndLogIn("change@example.com", PASSWORD);
            assertThat(routes(http, old)).allSatisfy((route, status) ->
                    assertThat(status).as(route).isNotIn(401, 403));

            assertThat(http.putJson("/api/v1/users/me/password", Map.of("current_password", "not the password",
                    "new_password", NEW_PASSWORD), bearer(old)).statusCode()).as("wrong current password").isEqualTo(403);
            assertThat(http.putJson("/api/v1/users/me/password", Map.of("current_password", PASSWORD,
                    "new_password", "short"), bearer(old)).statusCode()).as("weak new password").isEqualTo(400);
            assertThat(http.putJson("/api/v1/users/me/password", Map.of("current_password", PASSWORD,
                    "new_password", NEW_PASSWORD)).statusCode()).as("no token").isEqualTo(401);
            assertThat(routes(http, old).get("GET /api/v1/users/me")).as("refused attempts change nothing").isEqualTo(200);

            HttpResponse<String> changed = http.putJson("/api/v1/users/me/password",
                    Map.of("current_password", PASSWORD, "new_password", NEW_PASSWORD), bearer(old));
            assertThat(changed.statusCode()).isEqualTo(204);

            assertThat(routes(http, old)).allSatisfy((route, status) ->
                    assertThat(status).as(route).isEqualTo(route.equals("POST /validate") ? 403 : 401));
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", "change@example.com", "password", PASSWORD))
                    .statusCode()).isEqualTo(401);
            String fresh = http.token("change@example.com", NEW_PASSWORD);
            assertThat(routes(http, fresh)).allSatisfy((route, status) ->
                    assertThat(status).as(route).isNotIn(401, 403));
        }
    }

    @Test
    void anotherProcessRefusesRevokedTokensWithinItsCacheTtl() throws Exception {
        try (MemoryMongo mongo = MemoryMongo.start("revocation");
             Mp3convServer auth = AuthHttp.start(authDir, Map.of("mongodb.uri", mongo.uri(),
                     "auth.revocation.cache-ttl", "300ms"));
             Mp3convServer gateway = AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway",
                     "mongodb.uri", mongo.uri(), "auth.url", "http://127.0.0.1:" + auth.port(),
                     "auth.revocation.cache-ttl", "300ms"))) {
            AuthHttp viaGateway = new AuthHttp(gateway);
            AuthHttp direct = new AuthHttp(auth);
            String old = viaGateway.registerAndLogIn("remote-change@example.com", PASSWORD);
            assertThat(viaGateway.getWithToken("/api/v1/jobs", old).statusCode()).isEqualTo(200);

            // the change is made by the auth process (the gateway forwards the route to it)
            assertThat(viaGateway.putJson("/api/v1/users/me/password", Map.of("current_password", PASSWORD,
                    "new_password", NEW_PASSWORD), bearer(old)).statusCode()).isEqualTo(204);
            // the auth process recorded the change itself (the first test shows it does not need its TTL for that)
            assertThat(direct.getWithToken("/api/v1/users/me", old).statusCode()).as("auth: at once").isEqualTo(401);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(viaGateway.getWithToken("/api/v1/jobs", old).statusCode()).as("gateway").isEqualTo(401));
            assertThat(routes(viaGateway, old)).allSatisfy((route, status) ->
                    assertThat(status).as(route).isEqualTo(route.equals("POST /validate") ? 403 : 401));

            String fresh = viaGateway.token("remote-change@example.com", NEW_PASSWORD);
            assertThat(viaGateway.getWithToken("/api/v1/jobs", fresh).statusCode()).isEqualTo(200);

            // deleted by `mp3conv-server user delete`, a third process on the same store
            assertThat(userCommand(mongo, "user", "delete", "remote-change@example.com")).isZero();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                assertThat(viaGateway.getWithToken("/api/v1/jobs", fresh).statusCode()).as("gateway").isEqualTo(401);
                assertThat(direct.post("/validate", bearer(fresh)).statusCode()).as("auth").isEqualTo(403);
            });
            assertThat(routes(viaGateway, fresh)).allSatisfy((route, status) ->
                    assertThat(status).as(route).isEqualTo(route.equals("POST /validate") ? 403 : 401));
        }
    }

    private int userCommand(MemoryMongo mongo, String... args) {
        CommandLine cmd = Main.commandLine(() -> Settings.load(Map.of(), Map.of("mongodb.uri", mongo.uri(),
                "app.data-dir", gatewayDir.resolve("cli").toString())),
                () -> new ByteArrayInputStream(new byte[0]));
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        assertThat(err.toString()).isEmpty();
        return code;
    }

    /** The status of every route that takes a token, for this token. */
    private static Map<String, Integer> routes(AuthHttp http, String token) {
        String job = new ObjectId().toHexString();
        Map<String, Integer> status = new LinkedHashMap<>();
        status.put("GET /api/v1/users/me", http.getWithToken("/api/v1/users/me", token).statusCode());
        status.put("GET /api/v1/jobs", http.getWithToken("/api/v1/jobs", token).statusCode());
        status.put("GET /api/v1/jobs/{id}", http.getWithToken("/api/v1/jobs/" + job, token).statusCode());
        status.put("GET /api/v1/jobs/{id}/mp3", http.getWithToken("/api/v1/jobs/" + job + "/mp3", token).statusCode());
        status.put("DELETE /api/v1/jobs/{id}", http.send("DELETE", "/api/v1/jobs/" + job, new byte[0], bearer(token)).statusCode());
        status.put("POST /api/v1/jobs", http.send("POST", "/api/v1/jobs", multipart("file"), bearer(token)[0],
                bearer(token)[1], "Content-Type", "multipart/form-data; boundary=" + BOUNDARY).statusCode());
        status.put("POST /upload", http.send("POST", "/upload", multipart("video"), bearer(token)[0], bearer(token)[1],
                "Content-Type", "multipart/form-data; boundary=" + BOUNDARY).statusCode());
        status.put("GET /download", http.getWithToken("/download?fid=" + job, token).statusCode());
        status.put("GET /api/v1/users/me/webhook", http.getWithToken("/api/v1/users/me/webhook", token).statusCode());
        status.put("POST /validate", http.post("/validate", bearer(token)).statusCode());
        return status;
    }

    private static byte[] multipart(String field) {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"a.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\nnot really a video\r\n--" + BOUNDARY + "--\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }
}
