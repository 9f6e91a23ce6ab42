package dev.mp3conv.server.queue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Backend;
import dev.mp3conv.server.Role;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.StartupException;
import io.helidon.metrics.api.Metrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link JobQueue} contract on the real broker, plus what only a broker has: unroutable
 * publishes, redeclare conflicts, the topology it declares.
 */
class RabbitJobQueueIT extends JobQueueContract {
    private final List<JobMessage> videoDeadLetters = new CopyOnWriteArrayList<>();
    private final List<JobMessage> mp3DeadLetters = new CopyOnWriteArrayList<>();
    private RabbitConfig config;

    @BeforeAll
    static void broker() {
        TestBroker.require();
    }

    @Override
    JobQueue openQueue(int deliveryLimit, QueueMetrics metrics) {
        config = TestBroker.config(deliveryLimit, Duration.ofMillis(500));
        return RabbitJobQueue.open(config, metrics);
    }

    @Override
    List<JobMessage> deadLetters(Topic topic) {
        List<JobMessage> seen = topic == Topic.VIDEO ? videoDeadLetters : mp3DeadLetters;
        try (Connection connection = TestBroker.connect(); Channel channel = connection.createChannel()) {
            GetResponse response;
            while ((response = channel.basicGet(config.deadLetterQueue(topic), true)) != null) {
                seen.add(Json.mapper().readValue(response.getBody(), JobMessage.class));
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
        return List.copyOf(seen);
    }

    @Override
    void deleteQueues() {
        TestBroker.deleteTopology(config);
    }

    @Test
    void declaresDurableQuorumQueuesWithDeadLetterQueues() throws Exception {
        try (Connection connection = TestBroker.connect(); Channel channel = connection.createChannel()) {
            for (Topic topic : Topic.values()) {
                // a passive declare fails when the queue is missing; an equal redeclare when arguments differ
                channel.queueDeclarePassive(config.deadLetterQueue(topic));
                channel.queueDeclare(config.queue(topic), true, false, false,
                        RabbitTopology.queueArguments(config, config.deadLetterQueue(topic)));
            }
        }
        queue().publish(Topic.VIDEO, message());
        try (Connection connection = TestBroker.connect(); Channel channel = connection.createChannel()) {
            GetResponse got = channel.basicGet(config.videoQueue(), true);
            assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(got.getProps().getContentType()).isEqualTo("application/json");
            JobMessage body = Json.mapper().readValue(got.getBody(), JobMessage.class);
            assertThat(got.getProps().getMessageId()).isEqualTo(body.jobId());
        }
    }

    @Test
    void reopeningDeclaresTheSameTopologyAgain() {
        try (RabbitJobQueue again = RabbitJobQueue.open(config, new QueueMetrics(Metrics.createMeterRegistry()))) {
            assertThat(again.ready()).isTrue();
        }
    }

    @Test
    void unroutablePublishFailsAndIsCounted() throws Exception {
        try (Connection connection = TestBroker.connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(config.mp3Queue());
        }
        JobMessage message = message();

        assertThatThrownBy(() -> queue().publish(Topic.MP3, message))
                .isInstanceOf(QueueUnavailableException.class)
                .hasMessageContaining("unroutable")
                .hasMessageContaining(config.mp3Queue());
        assertThat(counter("mp3conv.queue.returned", Topic.MP3)).isEqualTo(1);
        assertThat(counter("mp3conv.queue.confirmed", Topic.MP3)).isZero();
        // the channel is still good for the next publish
        queue().publish(Topic.VIDEO, message());
        assertThat(counter("mp3conv.queue.confirmed", Topic.VIDEO)).isEqualTo(1);
    }

    @Test
    void classicQueueLeftByTheCourseSystemFailsStartWithOneClearLine(@TempDir Path dataDir) throws Exception {
        RabbitConfig other = TestBroker.config(5, Duration.ofSeconds(1));
        try (Connection connection = TestBroker.connect(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(other.videoQueue(), true, false, false, Map.of());
        }
        try {
            var settings = Settings.load(Map.of("AMQP_URI", TestBroker.URI, "VIDEO_QUEUE", other.videoQueue(),
                            "MP3_QUEUE", other.mp3Queue()),
                    Map.of("app.data-dir", dataDir.toString(), "queue.dead-letter-exchange", other.deadLetterExchange()));

            assertThatThrownBy(() -> Backend.open(settings, Set.of(Role.GATEWAY), Clock.systemUTC()))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("queue '" + other.videoQueue() + "'")
                    .hasMessageContaining("PRECONDITION_FAILED - inequivalent arg")
                    .hasMessageContaining("rabbitmqctl delete_queue " + other.videoQueue())
                    .hasMessageContaining("VIDEO_QUEUE")
                    .hasMessageNotContaining("\n")
                    .hasMessageNotContaining("guest:guest");
        } finally {
            TestBroker.deleteTopology(other);
        }
    }

    @Test
    void backendUsesRabbitWhenAmqpUriIsSet(@TempDir Path dataDir) {
        RabbitConfig other = TestBroker.config(5, Duration.ofSeconds(1));
        var settings = Settings.load(Map.of("AMQP_URI", TestBroker.URI, "VIDEO_QUEUE", other.videoQueue(),
                        "MP3_QUEUE", other.mp3Queue()),
                Map.of("app.data-dir", dataDir.toString(), "queue.dead-letter-exchange", other.deadLetterExchange()));
        try (Backend backend = Backend.open(settings, Set.of(Role.GATEWAY, Role.CONVERTER), Clock.systemUTC())) {
            assertThat(backend.queue()).isInstanceOf(RabbitJobQueue.class);
            assertThat(backend.queue().durable()).isTrue();
            assertThat(backend.queue().ready()).isTrue();
        } finally {
            TestBroker.deleteTopology(other);
        }
    }

    @Test
    void unreachableBrokerFailsStartWithoutPrintingThePassword(@TempDir Path dataDir) {
        var settings = Settings.load(Map.of("AMQP_URI", "amqp://user:s3cret@127.0.0.1:1/"),
                Map.of("app.data-dir", dataDir.toString()));

        assertThatThrownBy(() -> Backend.open(settings, Set.of(Role.GATEWAY), Clock.systemUTC()))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot reach RabbitMQ at amqp://127.0.0.1:1/")
                .hasMessageNotContaining("s3cret");
    }
}
