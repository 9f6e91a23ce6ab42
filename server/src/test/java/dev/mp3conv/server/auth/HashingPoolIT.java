package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.mp3conv.server.Mp3convServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password hashing under overload, through real HTTP: with a pool of one thread and a short wait, a burst
 * of logins and registrations gets 503 problems with {@code Retry-After} instead of queueing without
 * bound, a refused registration leaves no account, and the pool serves again once the burst is over.
 */
class HashingPoolIT {
    private static final String PASSWORD = "long enough password";
    private static final int BURST = 16;

    @TempDir
    Path dir;

    @Test
    void aBurstBeyondThePoolIsAnswered503WithRetryAfterAndLeavesNothingBehind() throws Exception {
        try (Mp3convServer server = AuthHttp.start(dir, Map.of(
                "auth.hashing.threads", "1",
                "auth.hashing.max-wait", "250ms",
                "auth.registration.max-per-address", "1000"));
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            AuthHttp http = new AuthHttp(server);
            String email = "pool-" + UUID.randomUUID() + "@example.com";
            http.registerAndLogIn(email, PASSWORD);

            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> logins = new ArrayList<>();
            List<String> newEmails = new ArrayList<>();
            List<Future<HttpResponse<String>>> registrations = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                logins.add(clients.submit(() -> {
                    go.await();
                    return http.postJson("/api/v1/auth/token", Map.of("email", email, "password", PASSWORD));
                }));
                String newEmail = "burst-" + UUID.randomUUID() + "@example.com";
                newEmails.add(newEmail);
                registrations.add(clients.submit(() -> {
                    go.await();
                    return http.postJson("/api/v1/users", Map.of("email", newEmail, "password", PASSWORD));
                }));
            }
            go.countDown();

            List<HttpResponse<String>> all = new ArrayList<>();
            for (Future<HttpResponse<String>> f : logins) {
                all.add(f.get());
            }
            List<HttpResponse<String>> registered = new ArrayList<>();
            for (Future<HttpResponse<String>> f : registrations) {
                registered.add(f.get());
            }
            all.addAll(registered);

            assertThat(all).extracting(HttpResponse::statusCode).allSatisfy(s -> assertThat(s).isIn(200, 201, 503));
            List<HttpResponse<String>> refused = all.stream().filter(r -> r.statusCode() == 503).toList();
            // each hash is >= 50 ms of CPU: one thread cannot serve 32 of them within a 250 ms wait
            assertThat(refused).as("a pool of one cannot serve %d hashes within 250 ms", 2 * BURST).isNotEmpty();
            assertThat(refused).allSatisfy(r -> {
                assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
                assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                        assertThat(Long.parseLong(v)).isBetween(1L, 5L));
                assertThat(AuthHttp.json(r).get("detail").asText()).contains("busy");
            });
            assertThat(all).as("some of the burst is served").anySatisfy(r -> assertThat(r.statusCode()).isIn(200, 201));

            // a refused registration created nothing: the same email registers now that the burst is over
            for (int i = 0; i < BURST; i++) {
                if (registered.get(i).statusCode() == 503) {
                    assertThat(http.postJson("/api/v1/users", Map.of("email", newEmails.get(i), "password", PASSWORD))
                            .statusCode()).isEqualTo(201);
                }
            }
            assertThat(http.token(email, PASSWORD)).as("the pool serves again").isNotEmpty();
        }
    }
}
