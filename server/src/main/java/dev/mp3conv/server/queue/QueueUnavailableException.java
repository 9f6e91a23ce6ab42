package dev.mp3conv.server.queue;

/**
 * A publish was not confirmed (broker down, timeout, message returned as unroutable, queue closed).
 * The job stays in the jobs collection unpublished; the sweeper republishes it.
 */
public class QueueUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * New exception.
     *
     * @param message what failed
     * @param cause   underlying error, may be null
     */
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
