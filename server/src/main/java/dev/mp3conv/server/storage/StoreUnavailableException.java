package dev.mp3conv.server.storage;

/**
 * The metadata or blob store cannot be reached or did not answer in time. The HTTP layer
 * answers 503; queue consumers treat it as retryable.
 */
public class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * New exception.
     *
     * @param message what could not be done
     * @param cause   the driver's or file system's error
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
