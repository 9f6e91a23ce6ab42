package dev.mp3conv.cli;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error status; carries its problem detail when it sent one.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String detail;
    private final Duration retryAfter;

    ApiException(int status, String title, String detail, Duration retryAfter) {
        super(describe(status, title, detail));
        this.status = status;
        this.detail = detail;
        this.retryAfter = retryAfter;
    }

    int status() {
        return status;
    }

    Optional<String> detail() {
        return Optional.ofNullable(detail).filter(d -> !d.isBlank());
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static String describe(int status, String title, String detail) {
        if (detail != null && !detail.isBlank()) {
            return detail;
        }
        return "server answered " + status + (title == null || title.isBlank() ? "" : " " + title);
    }
}
