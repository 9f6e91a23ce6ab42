package dev.mp3conv.server.notify;

import dev.mp3conv.model.JobError;

/**
 * A notification was not sent. Retryable failures (SMTP 4xx, connection trouble, timeouts) go back
 * through the queue; the others (5xx for the address, authentication refused) are recorded on the job.
 */
final class NotificationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient JobError error;
    private final boolean retryable;

    private NotificationException(JobError error, boolean retryable, Throwable cause) {
        super(error.message(), cause);
        this.error = error;
        this.retryable = retryable;
    }

    static NotificationException transientFailure(String code, String message, Throwable cause) {
        return new NotificationException(new JobError(code, message), true, cause);
    }

    static NotificationException permanentFailure(String code, String message, Throwable cause) {
        return new NotificationException(new JobError(code, message), false, cause);
    }

    JobError error() {
        return error;
    }

    boolean retryable() {
        return retryable;
    }
}
