package dev.mp3conv.server.queue;

import java.time.Duration;
import java.util.Map;

import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RabbitConfigTest {
    @Test
    void readsQueueNamesFromTheCourseSystemsVariablesAndDefaultsTheRest() {
        RabbitConfig config = rabbit(Settings.load(Map.of("AMQP_URI", "amqp://u:p@rabbit:5672/",
                "VIDEO_QUEUE", "videos", "MP3_QUEUE", "mp3s", "QUEUE_DELIVERY_LIMIT", "7"), Map.of()));

        assertThat(config.videoQueue()).isEqualTo("videos");
        assertThat(config.mp3Queue()).isEqualTo("mp3s");
        assertThat(config.deadLetterQueue(Topic.VIDEO)).isEqualTo("videos.dlq");
        assertThat(config.deadLetterQueue(Topic.MP3)).isEqualTo("mp3s.dlq");
        assertThat(config.deliveryLimit()).isEqualTo(7);
        assertThat(config.deadLetterExchange()).isEqualTo("mp3conv.dlx");
        assertThat(config.confirmTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.publishChannels()).isEqualTo(8);
        assertThat(config.recoveryInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void keysWithoutVariablesComeFromOverridesOrSystemProperties() {
        RabbitConfig config = rabbit(Settings.load(Map.of("AMQP_URI", "amqp://rabbit"),
                Map.of("queue.confirm-timeout", "3s", "queue.publish-channels", "2", "amqp.recovery-interval", "500ms",
                        "queue.dead-letter-exchange", "other.dlx")));

        assertThat(config.confirmTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.publishChannels()).isEqualTo(2);
        assertThat(config.recoveryInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.deadLetterExchange()).isEqualTo("other.dlx");
    }

    @Test
    void neverShowsTheCredentials() {
        RabbitConfig config = rabbit(Settings.load(Map.of("AMQP_URI", "amqps://mp3conv:s3cret@rabbit.example:5671/prod"),
                Map.of()));

        assertThat(RabbitConfig.safeUri(config.uri())).isEqualTo("amqps://rabbit.example:5671/prod");
        assertThat(config.toString()).doesNotContain("s3cret").contains("rabbit.example");
        assertThat(RabbitConfig.safeUri("amqp://guest:guest@localhost")).isEqualTo("amqp://localhost/");
    }

    private static RabbitConfig rabbit(io.helidon.config.Config root) {
        return RabbitConfig.create(root.get("amqp"), QueueSettings.from(root.get("queue")), "test");
    }
}
