package dev.mp3conv.server.queue;

import dev.mp3conv.model.JobMessage;

/**
 * One delivery of a message to a handler.
 *
 * @param topic         where it came from
 * @param message       the message
 * @param deliveryCount 1 for the first delivery, 2 for the first redelivery, …
 */
public record Delivery(Topic topic, JobMessage message, int deliveryCount) {
    /**
     * Whether this message was delivered before.
     *
     * @return true from the second delivery on
     */
    public boolean redelivered() {
        return deliveryCount > 1;
    }
}
