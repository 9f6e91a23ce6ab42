package dev.mp3conv.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per key (an email, a client address): after {@code maxFailures} failures within
 * {@link #WINDOW}, the key is locked out for {@code lockout}. In memory, per process: with several auth
 * replicas each counts on its own, which still bounds guessing to replicas × limit.
 */
final class LoginThrottle {
    static final Duration WINDOW = Duration.ofMinutes(15);
    /** Beyond this many tracked keys, expired entries are dropped so a spray of addresses cannot grow memory. */
    private static final int PRUNE_ABOVE = 10_000;

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    LoginThrottle(int maxFailures, Duration lockout, Clock clock) {
        this.maxFailures = maxFailures;
        this.lockout = lockout;
        this.clock = clock;
    }

    /**
     * How long the key is still locked out.
     *
     * @param key email or address
     * @return the remaining lockout, empty when not locked
     */
    Optional<Duration> lockedFor(String key) {
        Entry entry = entries.get(key);
        Instant now = clock.instant();
        if (entry == null || !entry.lockedUntil().isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, entry.lockedUntil()));
    }

    void failed(String key) {
        Instant now = clock.instant();
        entries.compute(key, (k, old) -> {
            Entry current = old == null || old.windowStart().plus(WINDOW).isBefore(now)
                    ? new Entry(0, now, Instant.MIN) : old;
            int failures = current.failures() + 1;
            return failures >= maxFailures
                    ? new Entry(0, now, now.plus(lockout))
                    : new Entry(failures, current.windowStart(), current.lockedUntil());
        });
        if (entries.size() > PRUNE_ABOVE) {
            entries.values().removeIf(e -> e.windowStart().plus(WINDOW).isBefore(now) && e.lockedUntil().isBefore(now));
        }
    }

    void succeeded(String key) {
        entries.remove(key);
    }

    private record Entry(int failures, Instant windowStart, Instant lockedUntil) {
    }
}
