package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.Optional;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The {@code auth} configuration node (docs/configuration.md).
 *
 * @param issuer              {@code iss} of issued tokens, required on verification
 * @param tokenTtl            token lifetime
 * @param openRegistration    whether anyone may register
 * @param url                 where a gateway without the auth role fetches the JWKS
 * @param signingKey          private key (PEM or JWK); empty: generated under the data dir (embedded only)
 * @param previousKeys        public keys still accepted after a rotation
 * @param adminEmail          first admin, created at start if absent
 * @param adminPassword       its password
 * @param maxLoginFailures    failed logins per email before a lockout (per client address: 4 times as many)
 * @param lockout             how long a lockout lasts
 * @param clientAddressHeader header set by the trusted proxy with the client address; empty: the peer address
 * @param audience            {@code aud} of issued tokens, required on verification
 * @param revocationCacheTtl  how long a verifier trusts what it read of a user's token epoch (revocation delay)
 * @param hashingThreads      threads hashing passwords at once; 0: no pool (comparison benches only)
 * @param hashingMaxWait      how long a login or registration waits for a hashing thread before a 503
 * @param registrationMaxPerAddress registrations per client address within 15 min before a lockout
 */
public record AuthSettings(String issuer,
                    Duration tokenTtl,
                    boolean openRegistration,
                    Optional<String> url,
                    Optional<String> signingKey,
                    Optional<String> previousKeys,
                    Optional<String> adminEmail,
                    Optional<String> adminPassword,
                    int maxLoginFailures,
                    Duration lockout,
                    Optional<String> clientAddressHeader,
                    String audience,
                    Duration revocationCacheTtl,
                    int hashingThreads,
                    Duration hashingMaxWait,
                    int registrationMaxPerAddress) {
    /** Tolerated clock difference between the issuing auth process and a verifying gateway. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    @Override
    public String toString() {
        // never print the key or the admin password
        return "AuthSettings[issuer=" + issuer + ", tokenTtl=" + tokenTtl + ", openRegistration=" + openRegistration
                + ", url=" + url.orElse("-") + ", audience=" + audience + "]";
    }

    /**
     * Reads the settings; defaults in application.yaml.
     *
     * @param auth the {@code auth} node
     * @return the settings
     */
    public static AuthSettings from(Config auth) {
        return new AuthSettings(
                Settings.text(auth.get("issuer")),
                Settings.duration(auth.get("token-ttl")),
                Settings.flag(auth.get("open-registration")),
                text(auth.get("url")),
                text(auth.get("signing-key")),
                text(auth.get("previous-keys")),
                text(auth.get("admin.email")),
                text(auth.get("admin.password")),
                Settings.integer(auth.get("login.max-failures")),
                Settings.duration(auth.get("login.lockout")),
                text(auth.get("login.client-address-header")),
                Settings.text(auth.get("audience")),
                Settings.duration(auth.get("revocation.cache-ttl")),
                auth.get("hashing.threads").asInt().orElseGet(() -> defaultHashingThreads(
                        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory())),
                Settings.duration(auth.get("hashing.max-wait")),
                Settings.integer(auth.get("registration.max-per-address")));
    }

    /** Heap share the running argon2id hashes may hold together, by default. */
    static final double HASHING_HEAP_SHARE = 0.25;

    /**
     * Hashing threads when {@code auth.hashing.threads} is unset: one per processor, but no more than
     * {@link #HASHING_HEAP_SHARE} of the heap holds in running hashes of {@link PasswordHasher#MEMORY_KIB}
     * each (at least one). The launcher's 64 MiB heap gets 2 (14 MiB of hashes; password4j's 7 MiB template
     * and the upload buffers, a quarter and three eighths of it, fit beside them), a 256 MiB heap 9; on a
     * 2-core machine both get 2, as before.
     *
     * @param processors available processors
     * @param maxHeap    the JVM's maximum heap, bytes
     * @return threads
     */
    static int defaultHashingThreads(int processors, long maxHeap) {
        long byHeap = (long) (maxHeap * HASHING_HEAP_SHARE / (PasswordHasher.MEMORY_KIB * 1024L));
        return (int) Math.max(1, Math.min(processors, byHeap));
    }

    private static Optional<String> text(Config node) {
        return node.asString().asOptional().filter(s -> !s.isBlank());
    }
}
