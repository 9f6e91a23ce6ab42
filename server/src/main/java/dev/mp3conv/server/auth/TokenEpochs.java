package dev.mp3conv.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Revocation of tokens: every token carries its user's token epoch at the time of issue (claim
 * {@value #CLAIM}); changing the password raises the stored epoch and deleting the user removes it, so
 * a token whose epoch is no longer the user's current one is refused. Verifiers read the users
 * collection (through the shared MongoDB when the auth role runs elsewhere) and trust what they read for
 * {@code ttl}: that is how long another process may still accept a revoked token. The process that made
 * the change records the new epoch at once ({@link #changed}).
 *
 * <p>Epochs only grow and a deleted user never comes back (ids are not reused), so a newer reading always
 * wins over an older one, whatever order concurrent readers finish in.
 */
final class TokenEpochs {
    /** The claim that carries the epoch. */
    static final String CLAIM = "epoch";
    /** Stands for a deleted user: no epoch of a token reaches it. */
    static final long DELETED = Long.MAX_VALUE;
    /** Bounds memory against tokens of many users; past it, the cache starts over. */
    static final int MAX_USERS = 10_000;

    private final Function<String, OptionalLong> lookup;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    /**
     * New cache.
     *
     * @param lookup the stored epoch of a user id, empty when there is no such user
     * @param ttl    how long a reading is trusted
     * @param clock  time source
     */
    TokenEpochs(Function<String, OptionalLong> lookup, Duration ttl, Clock clock) {
        this.lookup = lookup;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * Whether a token's epoch is still its user's current one.
     *
     * @param userId the token's {@code sub}
     * @param epoch  the token's epoch
     * @return false when the user is gone or the epoch was raised since the token was issued
     */
    boolean current(String userId, long epoch) {
        Instant now = clock.instant();
        Entry entry = cache.get(userId);
        if (entry == null || !entry.readAt().plus(ttl).isAfter(now)) {
            entry = record(userId, lookup.apply(userId).orElse(DELETED), now);
        }
        return entry.epoch() != DELETED && entry.epoch() == epoch;
    }

    /**
     * Records a change made by this process, so its own verifications see it at once.
     *
     * @param userId the user
     * @param epoch  the new epoch, or {@link #DELETED}
     */
    void changed(String userId, long epoch) {
        record(userId, epoch, clock.instant());
    }

    private Entry record(String userId, long epoch, Instant now) {
        if (cache.size() >= MAX_USERS) {
            cache.values().removeIf(e -> !e.readAt().plus(ttl).isAfter(now));
            if (cache.size() >= MAX_USERS) {
                cache.clear(); // bounded: the next requests simply read again
            }
        }
        return cache.merge(userId, new Entry(epoch, now),
                (old, fresh) -> fresh.epoch() >= old.epoch() ? fresh : new Entry(old.epoch(), fresh.readAt()));
    }

    /** What was read of a user, and when. */
    private record Entry(long epoch, Instant readAt) {
    }
}
