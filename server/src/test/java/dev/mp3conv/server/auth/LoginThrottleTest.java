package dev.mp3conv.server.auth;

import java.time.Duration;
import java.time.Instant;

import dev.mp3conv.server.testing.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoginThrottleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
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

    @Test
    void aSprayOfKeysStaysBoundedAndKeepsLockouts() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("victim@example.com");
        }
        for (int i = 0; i <= LoginThrottle.MAX_TRACKED + 10; i++) {
            throttle.failed("spray-" + i + "@example.com");
        }

        assertThat(throttle.tracked()).isLessThanOrEqualTo(LoginThrottle.MAX_TRACKED);
        assertThat(throttle.lockedFor("victim@example.com")).isPresent();
    }
}
