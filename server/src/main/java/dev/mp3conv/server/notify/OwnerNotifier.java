package dev.mp3conv.server.notify;

import dev.mp3conv.server.jobs.Job;

/**
 * Tells a job's owner that it finished: by email, or by a log line when no SMTP server is configured.
 */
sealed interface OwnerNotifier extends AutoCloseable permits EmailNotifier, LogNotifier {
    /**
     * The channel recorded on the job ({@code notify_channel}).
     *
     * @return e.g. {@code email}
     */
    String channel();

    /**
     * Sends the notification of a DONE or FAILED job.
     *
     * @param job the finished job
     * @throws NotificationException when it could not be sent; {@link NotificationException#retryable()} says
     *                               whether a later attempt may succeed
     */
    void send(Job job) throws NotificationException;

    @Override
    default void close() {
    }
}
