package dev.mp3conv.server.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * argon2id password hashes (password4j), stored in the PHC string form that carries its own salt and
 * parameters, so changing the parameters later leaves old hashes verifiable. Parameters: 7 MiB, 5
 * passes, 1 lane, one of the argon2id settings OWASP's cheat sheet lists as equal in strength to its first
 * (19 MiB, 2 passes): the same attack cost in less memory. Memory is what a server holds per hash, and
 * password4j keeps a zeroed block template of that size for as long as the process lives on top of
 * the copy each hash fills: with 19 MiB that was 19 MiB retained plus 19 MiB per running hash, most of
 * the heap of a server that starts with {@code -Xmx64m} (bench/footprint.sh). docs/configuration.md
 * has the measured cost. Every hash and verification runs in the {@link HashingPool}, which bounds how
 * many run at once.
 */
final class PasswordHasher {
    static final int MEMORY_KIB = 7 * 1024;
    static final int ITERATIONS = 5;
    static final int PARALLELISM = 1;
    static final int HASH_LENGTH = 32;
    static final int SALT_LENGTH = 16;

    private final Argon2Function function =
            Argon2Function.getInstance(MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_LENGTH, Argon2.ID);
    private final HashingPool pool;
    /** Checked against for unknown emails, so they cost as much as known ones. */
    private final String dummyHash;

    PasswordHasher(HashingPool pool) {
        this.pool = pool;
        // at start, on the starting thread: no request waits for it, so the pool's wait does not apply
        this.dummyHash = hashNow("dummy password for unknown emails");
    }

    /**
     * A new hash with a random salt.
     *
     * @throws dev.mp3conv.server.http.ProblemException 503 when the pool stays busy
     */
    String hash(String password) {
        return pool.run(() -> hashNow(password));
    }

    private String hashNow(String password) {
        return Password.hash(password).addRandomSalt(SALT_LENGTH).with(function).getResult();
    }

    /**
     * Whether a password matches a stored hash.
     *
     * @throws dev.mp3conv.server.http.ProblemException 503 when the pool stays busy
     */
    boolean matches(String password, String hash) {
        return pool.run(() -> {
            try {
                return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
            } catch (RuntimeException e) {
                // a corrupt stored hash never matches
                return false;
            }
        });
    }

    /** Spends the time of one verification without a user, so the answer time does not reveal whether an email exists. */
    void matchesNothing(String password) {
        matches(password, dummyHash);
    }
}
