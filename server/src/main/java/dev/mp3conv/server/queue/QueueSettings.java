package dev.mp3conv.server.queue;

import java.time.Duration;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The {@code queue} settings (docs/configuration.md, docs/queue.md), read once at start; defaults in
 * application.yaml. Both queues dead-letter at {@link #deliveryLimit()} deliveries, and the converter and
 * notifier stop retrying there too.
 *
 * @param videoQueue         name of the {@code video} queue
 * @param mp3Queue           name of the {@code mp3} queue
 * @param deliveryLimit      deliveries of a failing message before it is dead-lettered
 * @param deadLetterExchange exchange that routes dead letters to {@code <queue>.dlq} (RabbitMQ)
 * @param confirmTimeout     how long a publish waits for the broker's confirm (RabbitMQ)
 * @param publishChannels    channels kept for publishing (RabbitMQ)
 */
public record QueueSettings(String videoQueue, String mp3Queue, int deliveryLimit, String deadLetterExchange,
                            Duration confirmTimeout, int publishChannels) {
    /**
     * Reads the settings.
     *
     * @param queue the {@code queue} node
     * @return the settings
     * @throws dev.mp3conv.server.StartupException when a value is missing
     */
    public static QueueSettings from(Config queue) {
        return new QueueSettings(Settings.text(queue.get("video")), Settings.text(queue.get("mp3")),
                Settings.integer(queue.get("delivery-limit")), Settings.text(queue.get("dead-letter-exchange")),
                Settings.duration(queue.get("confirm-timeout")), Settings.integer(queue.get("publish-channels")));
    }
}
