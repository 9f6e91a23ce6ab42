package dev.mp3conv.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand (lease expiry without waiting).
 */
public final class MutableClock extends Clock {
    private final Clock base;
    private volatile Duration ahead = Duration.ZERO;

    /**
     * A clock at the given time, standing still until moved.
     *
     * @param start initial instant
     */
    public MutableClock(Instant start) {
        this(Clock.fixed(start, ZoneOffset.UTC));
    }

    private MutableClock(Clock base) {
        this.base = base;
    }

    /**
     * A clock that runs with the system clock, plus however far the test moved it.
     *
     * @return the clock, at the system time until moved
     */
    public static MutableClock ticking() {
        return new MutableClock(Clock.systemUTC());
    }

    /**
     * Moves the clock forward.
     *
     * @param step how far
     */
    public void advance(Duration step) {
        ahead = ahead.plus(step);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return base.instant().plus(ahead);
    }
}
