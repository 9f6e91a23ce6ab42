package dev.mp3conv.server.http;

import java.time.Duration;
import java.util.Optional;

import io.helidon.http.Status;

/**
 * An error with an HTTP status and a detail for the user, answered as {@code application/problem+json}.
 * Handlers throw it; {@link Problems} maps it once for all routes.
 */
public class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final transient Duration retryAfter;
    private final String challenge;

    /**
     * New problem.
     *
     * @param status HTTP status
     * @param detail explanation shown to the user
     */
    public ProblemException(Status status, String detail) {
        this(status, detail, null, null);
    }

    private ProblemException(Status status, String detail, Duration retryAfter, String challenge) {
        super(detail, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
        this.challenge = challenge;
    }

    /**
     * 400 Bad Request.
     *
     * @param detail what is wrong with the request
     * @return the problem
     */
    public static ProblemException badRequest(String detail) {
        return new ProblemException(Status.BAD_REQUEST_400, detail);
    }

    /**
     * 401 Unauthorized.
     *
     * @param detail what is missing or wrong
     * @return the problem
     */
    public static ProblemException unauthorized(String detail) {
        return new ProblemException(Status.UNAUTHORIZED_401, detail);
    }

    /**
     * 401 Unauthorized for a bearer token that was sent and refused: its challenge says
     * {@code error="invalid_token"} (RFC 6750 §3.1), so a client knows to get a new one.
     *
     * @param detail what is wrong with the token
     * @return the problem
     */
    public static ProblemException invalidToken(String detail) {
        return new ProblemException(Status.UNAUTHORIZED_401, detail, null, "Bearer error=\"invalid_token\"");
    }

    /**
     * 403 Forbidden.
     *
     * @param detail why
     * @return the problem
     */
    public static ProblemException forbidden(String detail) {
        return new ProblemException(Status.FORBIDDEN_403, detail);
    }

    /**
     * 404 Not Found.
     *
     * @param detail what was not found (never whether it exists for someone else)
     * @return the problem
     */
    public static ProblemException notFound(String detail) {
        return new ProblemException(Status.NOT_FOUND_404, detail);
    }

    /**
     * 409 Conflict.
     *
     * @param detail the conflicting state
     * @return the problem
     */
    public static ProblemException conflict(String detail) {
        return new ProblemException(Status.CONFLICT_409, detail);
    }

    /**
     * 410 Gone.
     *
     * @param detail what is gone and since when
     * @return the problem
     */
    public static ProblemException gone(String detail) {
        return new ProblemException(Status.GONE_410, detail);
    }

    /**
     * 413 Content Too Large.
     *
     * @param detail the limit that was exceeded
     * @return the problem
     */
    public static ProblemException tooLarge(String detail) {
        return new ProblemException(Status.REQUEST_ENTITY_TOO_LARGE_413, detail);
    }

    /**
     * 429 Too Many Requests with {@code Retry-After}.
     *
     * @param detail     what was throttled
     * @param retryAfter how long to wait
     * @return the problem
     */
    public static ProblemException tooManyRequests(String detail, Duration retryAfter) {
        return new ProblemException(Status.TOO_MANY_REQUESTS_429, detail, retryAfter, null);
    }

    /**
     * 503 Service Unavailable.
     *
     * @param detail what is unavailable
     * @return the problem
     */
    public static ProblemException unavailable(String detail) {
        return new ProblemException(Status.SERVICE_UNAVAILABLE_503, detail);
    }

    /**
     * 503 Service Unavailable with {@code Retry-After}.
     *
     * @param detail     what is unavailable
     * @param retryAfter how long to wait
     * @return the problem
     */
    public static ProblemException unavailable(String detail, Duration retryAfter) {
        return new ProblemException(Status.SERVICE_UNAVAILABLE_503, detail, retryAfter, null);
    }

    /**
     * The HTTP status.
     *
     * @return status
     */
    public Status status() {
        return status;
    }

    /**
     * How long a client should wait before retrying, for 429 and 503.
     *
     * @return the wait
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * The {@code WWW-Authenticate} challenge of a 401 (RFC 9110 §11.6.1 requires one):
     * {@code Bearer} unless the problem names a more precise one.
     *
     * @return the challenge, empty for other statuses
     */
    public Optional<String> challenge() {
        if (status.code() != Status.UNAUTHORIZED_401.code()) {
            return Optional.empty();
        }
        return Optional.of(challenge == null ? "Bearer" : challenge);
    }
}
