package dev.mp3conv.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.auth.TokenVerifier;

/**
 * Starts a whole server in-process whose gateway accepts fixed test tokens instead of signed JWTs,
 * through the package-private seam {@code Mp3convServer.start(Config, verifiers)}.
 */
public final class ServerWithFakeAuth {
    /** Alice's token. */
    public static final String ALICE_TOKEN = "alice-token";
    /** Bob's token. */
    public static final String BOB_TOKEN = "bob-token";
    /** Alice. */
    public static final Principal ALICE = new Principal("u-alice", "alice@example.com", false);
    /** Bob. */
    public static final Principal BOB = new Principal("u-bob", "bob@example.com", false);

    private ServerWithFakeAuth() {
    }

    /**
     * The fake verifier: {@link #ALICE_TOKEN} is Alice, {@link #BOB_TOKEN} is Bob, anything else is invalid.
     *
     * @return the verifier
     */
    public static TokenVerifier verifier() {
        Map<String, Principal> known = Map.of(ALICE_TOKEN, ALICE, BOB_TOKEN, BOB);
        return token -> Optional.ofNullable(known.get(token));
    }

    /**
     * Starts a gateway-only server on loopback with ephemeral ports.
     *
     * @param dataDir   data directory (embedded store, blobs)
     * @param overrides further configuration keys
     * @return the running server
     */
    public static Mp3convServer start(Path dataDir, Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(Map.of(
                "app.roles", "gateway",
                "app.data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.port", "0",
                "admin.host", "127.0.0.1",
                "admin.port", "0"));
        config.putAll(overrides);
        TokenVerifier fake = verifier();
        return Mp3convServer.start(Settings.load(Map.of(), config), (backend, settings, auth) -> fake);
    }
}
