package dev.mp3conv.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.QueueMetrics;
import dev.mp3conv.server.queue.RabbitConfig;
import dev.mp3conv.server.queue.RabbitJobQueue;
import dev.mp3conv.server.queue.Topic;
import io.helidon.metrics.api.Metrics;
import org.bson.types.ObjectId;

/**
 * Publish-with-confirm and consume rates of job messages through {@link RabbitJobQueue}, beside a
 * bare amqp-client loop doing the same work (quorum queue with the same arguments, persistent
 * mandatory JSON messages, a confirm awaited per message on a channel per publisher thread; consume
 * with the same prefetch, JSON parsed, manual ack) against the local broker, alternating which goes
 * first in each round. Prints per-round rates and the median ratios.
 *
 * <p>Arguments: {@code [messages=10000] [publishers=8] [prefetch=100] [rounds=3]}.
 */
public final class QueueBench {
    private static final String URI = System.getProperty("amqp.uri", "amqp://guest:guest@127.0.0.1:5672/%2F");
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(3);
    private static final ObjectMapper MAPPER = Json.mapper();

    private QueueBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int prefetch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.printf(Locale.ROOT, "queue bench: %d job messages, %d publishers, prefetch %d, %d rounds, %s%n",
                messages, publishers, prefetch, rounds, URI.replaceAll("//[^@]*@", "//"));
        // warm-up (JIT, broker), not counted
        bare(Math.min(messages, 1_000), publishers, prefetch);
        ours(Math.min(messages, 1_000), publishers, prefetch);
        List<Double> publishRatios = new ArrayList<>();
        List<Double> consumeRatios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Rates bare;
            Rates ours;
            if (round % 2 == 1) {
                bare = bare(messages, publishers, prefetch);
                ours = ours(messages, publishers, prefetch);
            } else {
                ours = ours(messages, publishers, prefetch);
                bare = bare(messages, publishers, prefetch);
            }
            publishRatios.add(ours.publish / bare.publish);
            consumeRatios.add(ours.consume / bare.consume);
            System.out.printf(Locale.ROOT, "round %d: publish+confirm bare %.0f msg/s, RabbitJobQueue %.0f msg/s (ratio %.2f);"
                            + " consume+ack bare %.0f msg/s, RabbitJobQueue %.0f msg/s (ratio %.2f)%n",
                    round, bare.publish, ours.publish, ours.publish / bare.publish,
                    bare.consume, ours.consume, ours.consume / bare.consume);
        }
        System.out.printf(Locale.ROOT, "median ratio RabbitJobQueue / bare amqp-client: publish %.2f, consume %.2f (goal >= 0.8)%n",
                median(publishRatios), median(consumeRatios));
    }

    private static Rates ours(int messages, int publishers, int prefetch) throws Exception {
        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        RabbitConfig config = new RabbitConfig(URI, name + ".video", name + ".mp3", name + ".dlx", 5,
                Duration.ofSeconds(10), publishers, Duration.ofSeconds(5), "mp3conv-bench");
        try (RabbitJobQueue queue = RabbitJobQueue.open(config, new QueueMetrics(Metrics.globalRegistry()))) {
            List<JobMessage> batch = jobMessages(messages);
            double publish = publishInParallel(messages, publishers, (from, to) -> {
                for (int i = from; i < to; i++) {
                    queue.publish(Topic.VIDEO, batch.get(i));
                }
            });
            CountDownLatch done = new CountDownLatch(messages);
            long start = System.nanoTime();
            JobQueue.Consumer consumer = queue.consume(Topic.VIDEO, prefetch, delivery -> done.countDown());
            await(done);
            double consume = rate(messages, start);
            consumer.close();
            return new Rates(publish, consume);
        } finally {
            deleteTopology(name);
        }
    }

    private static Rates bare(int messages, int publishers, int prefetch) throws Exception {
        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String queueName = name + ".video";
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        try (Connection connection = factory.newConnection("mp3conv-bench-bare")) {
            try (Channel setup = connection.createChannel()) {
                setup.exchangeDeclare(name + ".dlx", "direct", true);
                setup.queueDeclare(queueName + ".dlq", true, false, false, Map.of("x-queue-type", "quorum"));
                setup.queueBind(queueName + ".dlq", name + ".dlx", queueName + ".dlq");
                setup.queueDeclare(queueName, true, false, false, Map.of("x-queue-type", "quorum",
                        "x-delivery-limit", 5, "x-dead-letter-exchange", name + ".dlx",
                        "x-dead-letter-routing-key", queueName + ".dlq", "x-dead-letter-strategy", "at-least-once",
                        "x-overflow", "reject-publish"));
            }
            List<JobMessage> batch = jobMessages(messages);
            double publish = publishInParallel(messages, publishers, (from, to) -> {
                try (Channel channel = connection.createChannel()) {
                    channel.confirmSelect();
                    for (int i = from; i < to; i++) {
                        JobMessage message = batch.get(i);
                        AMQP.BasicProperties properties = MessageProperties.PERSISTENT_BASIC.builder()
                                .contentType("application/json").messageId(message.jobId()).timestamp(new Date()).build();
                        channel.basicPublish("", queueName, true, properties, MAPPER.writeValueAsBytes(message));
                        channel.waitForConfirmsOrDie(10_000);
                    }
                }
            });
            CountDownLatch done = new CountDownLatch(messages);
            long start = System.nanoTime();
            Channel channel = connection.createChannel();
            channel.basicQos(prefetch);
            channel.basicConsume(queueName, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                        throws java.io.IOException {
                    MAPPER.readValue(body, JobMessage.class);
                    channel.basicAck(envelope.getDeliveryTag(), false);
                    done.countDown();
                }
            });
            await(done);
            double consume = rate(messages, start);
            channel.close();
            return new Rates(publish, consume);
        } finally {
            deleteTopology(name);
        }
    }

    private static double publishInParallel(int messages, int publishers, Slice slice) throws Exception {
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int from = messages * p / publishers;
                int to = messages * (p + 1) / publishers;
                running.add(threads.submit(() -> {
                    slice.publish(from, to);
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get(PHASE_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        return rate(messages, start);
    }

    private static void await(CountDownLatch done) throws InterruptedException {
        if (!done.await(PHASE_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("consume did not finish within " + PHASE_LIMIT + ", " + done.getCount() + " left");
        }
    }

    private static List<JobMessage> jobMessages(int count) {
        List<JobMessage> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = new ObjectId().toHexString();
            batch.add(new JobMessage(id, "video-" + id, null, "bench@example.org"));
        }
        return batch;
    }

    private static void deleteTopology(String name) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        try (Connection connection = factory.newConnection("mp3conv-bench-cleanup"); Channel channel = connection.createChannel()) {
            for (String queue : List.of(name + ".video", name + ".video.dlq", name + ".mp3", name + ".mp3.dlq")) {
                channel.queueDelete(queue);
            }
            channel.exchangeDelete(name + ".dlx");
        }
    }

    private static double rate(int messages, long startNanos) {
        return messages / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    @FunctionalInterface
    private interface Slice {
        void publish(int from, int to) throws Exception;
    }

    private record Rates(double publish, double consume) {
    }
}
