package dev.mp3conv.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {
    private final MovableClock clock = new MovableClock();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(1), clock);

    @Test
    void locksOutAfterTheLimitUntilTheLockoutEnds() {
        throttle.failed("a@example.com");
        throttle.failed("a@example.com");
        assertThat(throttle.lockedFor("a@example.com")).isEmpty();

        throttle.failed("a@example.com");
        assertThat(throttle.lockedFor("a@example.com")).contains(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("b@example.com")).isEmpty();

        clock.advance(Duration.ofSeconds(59));
        assertThat(throttle.lockedFor("a@example.com")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.lockedFor("a@example.com")).isEmpty();
    }

    @Test
    void aSuccessResetsTheCount() {
        throttle.failed("a@example.com");
        throttle.failed("a@example.com");
        throttle.succeeded("a@example.com");
        throttle.failed("a@example.com");
        throttle.failed("a@example.com");

        assertThat(throttle.lockedFor("a@example.com")).isEmpty();
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        throttle.failed("a@example.com");
        throttle.failed("a@example.com");
        clock.advance(LoginThrottle.WINDOW.plusSeconds(1));
        throttle.failed("a@example.com");

        assertThat(throttle.lockedFor("a@example.com")).isEmpty();
    }

    static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
