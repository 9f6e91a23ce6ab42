package dev.mp3conv.server.queue;

/**
 * Thrown by a {@link MessageHandler} when retrying cannot help (a malformed message, a bug):
 * the message goes to the dead-letter queue without further deliveries.
 */
public class PermanentFailureException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * New exception.
     *
     * @param message why
     * @param cause   underlying error, may be null
     */
    public PermanentFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
