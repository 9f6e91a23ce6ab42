package dev.mp3conv.server.queue;

import dev.mp3conv.model.JobMessage;

/**
 * Carries job ids between the roles (DESIGN.md §7). The jobs collection is the source of truth;
 * the queue only says "look at this job". Delivery is at least once.
 */
public interface JobQueue extends AutoCloseable {
    /**
     * Publishes a message and returns once the queue has durably accepted it.
     *
     * @param topic   stream to publish to
     * @param message the message
     * @throws QueueUnavailableException when the queue did not confirm it
     */
    void publish(Topic topic, JobMessage message);

    /**
     * Starts consuming a topic with up to {@code concurrency} messages handled at once, each on its
     * own thread (never the connection's thread).
     *
     * @param topic       stream to consume
     * @param concurrency messages in flight at once (prefetch)
     * @param handler     the work
     * @return a handle that stops this consumer
     */
    Consumer consume(Topic topic, int concurrency, MessageHandler handler);

    /**
     * Whether the queue can take and deliver messages now (for readiness).
     *
     * @return true when connected
     */
    boolean ready();

    /**
     * Whether messages survive a restart of this process (false for the in-process queue, whose
     * unfinished jobs are then recovered from the jobs collection at start).
     *
     * @return true for a broker
     */
    boolean durable();

    /**
     * Registers work to run each time the queue has reconnected after losing its broker, e.g.
     * publishing what could not be published while it was away. The listener runs on a thread of
     * its own, never the connection's. Queues that cannot disconnect never call it.
     *
     * @param listener what to run after a reconnect
     */
    default void onReconnect(Runnable listener) {
        // an in-process queue is never disconnected
    }

    /**
     * Tells the other processes on this queue that a job changed (best effort, never blocks). A
     * queue that only reaches this process has no one to tell: its changes are seen through
     * {@link dev.mp3conv.server.jobs.JobChanges} directly.
     *
     * @param jobId the job
     */
    default void announce(String jobId) {
        // nobody outside this process
    }

    /**
     * Receives the other processes' {@link #announce} calls.
     *
     * @param listener takes the id of each job changed elsewhere
     */
    default void onAnnouncement(java.util.function.Consumer<String> listener) {
        // nobody outside this process
    }

    /**
     * Stops all consumers (letting in-flight handlers finish) and releases connections.
     */
    @Override
    void close();

    /** A running consumer. */
    interface Consumer extends AutoCloseable {
        /**
         * Stops taking new messages and waits a bounded time for in-flight handlers.
         */
        @Override
        void close();
    }
}
