package dev.mp3conv.server.storage;

import java.time.Duration;

/**
 * The store could take the write, but this process has no memory left for another one at once (see
 * {@link ChunkBuffers}). The HTTP layer answers 503 with {@code Retry-After}.
 */
public final class StoreBusyException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    /**
     * New exception.
     *
     * @param message    what is busy
     * @param retryAfter when to try again
     */
    public StoreBusyException(String message, Duration retryAfter) {
        super(message, null);
        this.retryAfter = retryAfter;
    }

    /** @return when to try again */
    public Duration retryAfter() {
        return retryAfter;
    }
}
