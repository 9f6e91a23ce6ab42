package dev.mp3conv.server.queue;

import java.time.Duration;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * Settings of the RabbitMQ transport (keys {@code amqp.*} and {@code queue.*}, docs/configuration.md).
 *
 * @param uri                amqp:// or amqps:// URI, credentials included (never logged)
 * @param videoQueue         name of the {@code video} queue
 * @param mp3Queue           name of the {@code mp3} queue
 * @param deadLetterExchange exchange that routes dead letters to {@code <queue>.dlq}
 * @param deliveryLimit      deliveries of a failing message before it is dead-lettered
 * @param confirmTimeout     how long a publish waits for the broker's confirm
 * @param publishChannels    channels kept for publishing (one per concurrent publisher)
 * @param recoveryInterval   pause between reconnection attempts after the connection is lost
 * @param connectionName     client-provided connection name shown in the broker's tools
 */
public record RabbitConfig(String uri,
                           String videoQueue,
                           String mp3Queue,
                           String deadLetterExchange,
                           int deliveryLimit,
                           Duration confirmTimeout,
                           int publishChannels,
                           Duration recoveryInterval,
                           String connectionName) {

    /**
     * Reads the transport's settings.
     *
     * @param amqp           the {@code amqp} node (needs {@code uri})
     * @param queue          the queue settings
     * @param connectionName name to show in the broker's connection list
     * @return the settings
     */
    public static RabbitConfig create(Config amqp, QueueSettings queue, String connectionName) {
        return new RabbitConfig(Settings.text(amqp.get("uri")), queue.videoQueue(), queue.mp3Queue(),
                queue.deadLetterExchange(), queue.deliveryLimit(), queue.confirmTimeout(), queue.publishChannels(),
                Settings.duration(amqp.get("recovery-interval")), connectionName);
    }

    /**
     * The queue name of a topic.
     *
     * @param topic the topic
     * @return its queue
     */
    public String queue(Topic topic) {
        return switch (topic) {
            case VIDEO -> videoQueue;
            case MP3 -> mp3Queue;
        };
    }

    /**
     * The fanout exchange that carries "job X changed" between processes ({@code <video queue>.job-events},
     * so a deployment that renames its queues keeps its events apart too).
     *
     * @return exchange name
     */
    public String jobEventsExchange() {
        return videoQueue + ".job-events";
    }

    /**
     * The dead-letter queue of a topic.
     *
     * @param topic the topic
     * @return {@code <queue>.dlq}
     */
    public String deadLetterQueue(Topic topic) {
        return queue(topic) + ".dlq";
    }

    /**
     * A copy naming other queues (tests use unique names).
     *
     * @param video video queue
     * @param mp3   mp3 queue
     * @param dlx   dead-letter exchange
     * @return the copy
     */
    public RabbitConfig withNames(String video, String mp3, String dlx) {
        return new RabbitConfig(uri, video, mp3, dlx, deliveryLimit, confirmTimeout, publishChannels,
                recoveryInterval, connectionName);
    }

    @Override
    public String toString() {
        // the URI carries the password
        return "RabbitConfig[" + safeUri(uri) + ", video=" + videoQueue + ", mp3=" + mp3Queue + "]";
    }

    /**
     * The URI without user information, for logs and messages.
     *
     * @param uri amqp URI
     * @return e.g. {@code amqp://rabbit:5672/}
     */
    static String safeUri(String uri) {
        try {
            java.net.URI parsed = new java.net.URI(uri);
            String port = parsed.getPort() < 0 ? "" : ":" + parsed.getPort();
            String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
            return parsed.getScheme() + "://" + parsed.getHost() + port + path;
        } catch (java.net.URISyntaxException e) {
            return "(malformed AMQP URI)";
        }
    }
}
