package dev.mp3conv.server;

/**
 * The server cannot start; the message is one line for the operator, printed without a stack trace.
 */
public class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * New exception.
     *
     * @param message one line saying what is wrong and what to do
     */
    public StartupException(String message) {
        super(message);
    }

    /**
     * New exception with a cause (kept for {@code --verbose}-style debugging, not printed).
     *
     * @param message one line saying what is wrong and what to do
     * @param cause   underlying error
     */
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
