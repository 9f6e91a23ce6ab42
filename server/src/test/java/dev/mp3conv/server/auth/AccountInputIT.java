package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile registrations through real HTTP: emails with control or invisible characters are refused and
 * never logged raw, registration is throttled per client address, and a taken email is answered without
 * spending a password hash.
 */
class AccountInputIT {
    private static final String PASSWORD = "long enough password";
    /** Every character that must never reach a log line or an account. */
    private static final List<String> INVISIBLE = List.of("\u0000", "\u001b", "\r", "\n", "\u0007", "\u007f", "\u0085",
            "\u2028", "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
            "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00a0", "\u3000", "\ud800", "\udfff",
            "\ue000", "\u0378");

    @TempDir
    static Path dir;
    private static Mp3convServer server;
    private static AuthHttp http;

    @BeforeAll
    static void start() {
        server = AuthHttp.start(dir, Map.of(
                "auth.login.client-address-header", "X-Forwarded-For",
                "auth.registration.max-per-address", "3"));
        http = new AuthHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String address() {
        return "198.51.100." + (1 + (int) (Math.random() * 250)) + ", 10." + (int) (Math.random() * 250) + "."
                + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
    }

    private static HttpResponse<String> register(String email, String from) {
        return http.postJson("/api/v1/users", Map.of("email", email, "password", PASSWORD), "X-Forwarded-For", from);
    }

    @Test
    void emailsWithControlOrInvisibleCharactersAreRefusedAndNeverLoggedRaw() {
        Map<String, String> hostile = new LinkedHashMap<>();
        for (String c : INVISIBLE) {
            String name = String.format("U+%04X", (int) c.charAt(0));
            hostile.put(name + " in the local part", "ev" + c + "il-" + UUID.randomUUID() + "@example.com");
            hostile.put(name + " in the domain", "evil-" + UUID.randomUUID() + "@exam" + c + "ple.com");
        }
        hostile.put("bidi override spoofing the domain", "user-" + UUID.randomUUID() + "@\u202emoc.elpmaxe");
        hostile.put("header injection", "a-" + UUID.randomUUID() + "@example.com\r\nBcc: victim@example.com");
        hostile.put("ANSI escape", "\u001b[31mred-" + UUID.randomUUID() + "@example.com\u001b[0m");

        try (LogCapture log = LogCapture.start()) {
            hostile.forEach((name, email) -> {
                HttpResponse<String> created = register(email, address());
                assertThat(created.statusCode()).as(name).isEqualTo(400);
                assertThat(created.headers().firstValue("Content-Type")).as(name).contains("application/problem+json");
                assertThat(AuthHttp.json(created).get("detail").asText()).as(name).contains("email");
                HttpResponse<String> login = http.postJson("/api/v1/auth/token", Map.of("email", email, "password", PASSWORD),
                        "X-Forwarded-For", address());
                assertThat(login.statusCode()).as(name).isEqualTo(401);
            });
            assertNothingRawLogged(log, hostile.values());
        }
        // the control: a plain address and a non-ASCII but visible one register
        assertThat(register("plain-" + UUID.randomUUID() + "@example.com", address()).statusCode()).isEqualTo(201);
        assertThat(register("jürgen-" + UUID.randomUUID() + "@bücher.example", address()).statusCode()).isEqualTo(201);
    }

    @Test
    void registrationIsThrottledPerClientAddress() {
        String from = address();
        String taken = "taken-" + UUID.randomUUID() + "@example.com";
        assertThat(register(taken, from).statusCode()).isEqualTo(201);
        assertThat(register(taken, from).statusCode()).as("409s count too").isEqualTo(409);
        assertThat(register("second-" + UUID.randomUUID() + "@example.com", from).statusCode()).isEqualTo(201);

        HttpResponse<String> throttled = register("fourth-" + UUID.randomUUID() + "@example.com", from);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                assertThat(Long.parseLong(v)).isBetween(1L, 15 * 60L));
        // only the trusted proxy's last entry names the client: a forged first entry changes nothing
        assertThat(register("forged-" + UUID.randomUUID() + "@example.com", "203.0.113.77, " + lastEntry(from))
                .statusCode()).isEqualTo(429);
        assertThat(register("other-" + UUID.randomUUID() + "@example.com", address()).statusCode())
                .as("another address").isEqualTo(201);
    }

    @Test
    void aTakenEmailIsAnswered409WithoutSpendingAHash() {
        String email = "once-" + UUID.randomUUID() + "@example.com";
        HashingPool pool = server.components().stream().filter(AuthRole.class::isInstance).map(AuthRole.class::cast)
                .findFirst().orElseThrow().hashing();
        long before = pool.completed();
        assertThat(register(email, address()).statusCode()).isEqualTo(201);
        assertThat(pool.completed()).as("the control: a registration costs one hash").isEqualTo(before + 1);

        HttpResponse<String> again = register(email.toUpperCase(), address());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(pool.completed()).as("no hash for a taken email").isEqualTo(before + 1);
    }

    /**
     * No log line names a hostile value (each carries a UUID) or holds an invisible character; line
     * feeds are allowed only where the formatter puts them (line ends, stack traces).
     */
    static void assertNothingRawLogged(LogCapture log, java.util.Collection<String> hostile) {
        List<String> markers = hostile.stream().map(v -> v.replaceAll("(?s).*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}).*", "$1"))
                .filter(m -> m.length() == 36).toList();
        assertThat(markers).hasSize(hostile.size());
        assertThat(log.lines()).allSatisfy(line -> {
            assertThat(markers).as(line).noneMatch(line::contains);
            assertThat(INVISIBLE.stream().filter(c -> !c.equals("\n")).filter(line::contains)).as(line).isEmpty();
        });
    }

    private static String lastEntry(String forwardedFor) {
        return forwardedFor.substring(forwardedFor.lastIndexOf(',') + 1).strip();
    }
}
