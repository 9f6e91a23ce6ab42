package dev.mp3conv.server.queue;

/**
 * Handles one delivery. Returning normally acks the message (do it only once the work is durable).
 * Throwing {@link PermanentFailureException} dead-letters it at once; any other exception requeues
 * it, until the delivery limit dead-letters it. Handlers must be idempotent: delivery is at least once.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles a delivery.
     *
     * @param delivery the message and its delivery count
     * @throws PermanentFailureException when retrying cannot help
     * @throws Exception                 when a retry may succeed
     */
    void handle(Delivery delivery) throws Exception;
}
