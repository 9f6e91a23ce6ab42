package dev.mp3conv.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per key (an email, a client address), or registrations per client address: after
 * {@code maxFailures} of them within {@link #WINDOW}, the key is locked out for {@code lockout}. In memory, per process: with several auth
 * replicas each counts on its own, which still bounds guessing to replicas × limit.
 */
final class LoginThrottle {
    static final Duration WINDOW = Duration.ofMinutes(15);
    /** Beyond this many tracked keys, expired entries are dropped so a spray of emails or addresses cannot grow memory. */
    private static final int PRUNE_ABOVE = 10_000;
    /** Hard bound (a few MB): past it, counts that have not reached a lockout are forgotten; lockouts stay. */
    static final int MAX_TRACKED = 100_000;

    private final int maxFailures;
    private final Duration lockout;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile int pruneAt = PRUNE_ABOVE;

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

    /** Tracked keys (tests). */
    int tracked() {
        return entries.size();
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
        if (entries.size() > pruneAt) {
            prune(now);
        }
    }

    /** Runs after the map doubled (or neared the bound) since the last prune, so its cost is amortised. */
    private synchronized void prune(Instant now) {
        entries.values().removeIf(e -> e.windowStart().plus(WINDOW).isBefore(now) && e.lockedUntil().isBefore(now));
        if (entries.size() > MAX_TRACKED / 2) {
            entries.values().removeIf(e -> !e.lockedUntil().isAfter(now));
        }
        pruneAt = Math.min(MAX_TRACKED, Math.max(PRUNE_ABOVE, entries.size() * 2));
    }

    void succeeded(String key) {
        entries.remove(key);
    }

    private record Entry(int failures, Instant windowStart, Instant lockedUntil) {
    }
}
