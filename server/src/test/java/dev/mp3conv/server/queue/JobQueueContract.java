package dev.mp3conv.server.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@link JobQueue} contract, run against each implementation: delivery on virtual threads,
 * ack, prefetch, retry up to the delivery limit then dead letter, permanent failures straight to
 * the dead-letter queue, and idempotent handlers never processing a job twice.
 */
abstract class JobQueueContract {
    static final int DELIVERY_LIMIT = 3;
    private static final Duration QUIET = Duration.ofMillis(700);

    private static final List<String> COUNTERS = List.of("published", "confirmed", "returned", "redelivered",
            "dead_lettered");

    // the registry is process-wide: tests look at what changed since they started
    private final MeterRegistry registry = Metrics.globalRegistry();
    private final Map<String, Long> baseline = new ConcurrentHashMap<>();
    private final List<JobQueue.Consumer> consumers = new CopyOnWriteArrayList<>();
    private JobQueue queue;
    private MemoryJobs jobs;

    /**
     * A new queue of the implementation under test with its own (empty) queues.
     */
    abstract JobQueue openQueue(int deliveryLimit, QueueMetrics metrics);

    /**
     * Messages dead-lettered so far on a topic.
     */
    abstract List<JobMessage> deadLetters(Topic topic);

    /**
     * Removes the queues of {@link #openQueue} (after the queue is closed).
     */
    void deleteQueues() {
    }

    @BeforeEach
    void open() {
        jobs = new MemoryJobs();
        queue = openQueue(DELIVERY_LIMIT, new QueueMetrics(registry));
        for (String name : COUNTERS) {
            for (Topic topic : Topic.values()) {
                baseline.put(name + topic, absolute("mp3conv.queue." + name, topic));
            }
        }
    }

    @AfterEach
    void close() {
        consumers.forEach(JobQueue.Consumer::close);
        queue.close();
        deleteQueues();
        jobs.close();
    }

    JobQueue queue() {
        return queue;
    }

    @Test
    void deliversEveryPublishedMessageOnVirtualThreads() {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        List<Boolean> virtual = new CopyOnWriteArrayList<>();
        consume(Topic.VIDEO, 2, d -> {
            deliveries.add(d);
            virtual.add(Thread.currentThread().isVirtual());
        });
        List<JobMessage> sent = List.of(message(), message(), message());
        sent.forEach(m -> queue.publish(Topic.VIDEO, m));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deliveries).hasSize(3));
        assertThat(deliveries).extracting(Delivery::message).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.topic()).isEqualTo(Topic.VIDEO);
            assertThat(d.deliveryCount()).isEqualTo(1);
            assertThat(d.redelivered()).isFalse();
        });
        assertThat(virtual).containsOnly(true);
        assertThat(counter("mp3conv.queue.published", Topic.VIDEO)).isEqualTo(3);
        assertThat(counter("mp3conv.queue.confirmed", Topic.VIDEO)).isEqualTo(3);
    }

    @Test
    void topicsAreSeparate() {
        List<Delivery> mp3 = new CopyOnWriteArrayList<>();
        consume(Topic.MP3, 1, mp3::add);
        JobMessage video = message();
        JobMessage done = message();
        queue.publish(Topic.VIDEO, video);
        queue.publish(Topic.MP3, done);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mp3).hasSize(1));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() ->
                assertThat(mp3).extracting(Delivery::message).containsExactly(done));
    }

    @Test
    void ackedMessageIsNotDeliveredAgain() {
        List<JobMessage> seen = new CopyOnWriteArrayList<>();
        JobMessage first = message();
        JobQueue.Consumer consumer = consume(Topic.VIDEO, 1, d -> seen.add(d.message()));
        queue.publish(Topic.VIDEO, first);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).containsExactly(first));
        consumer.close();

        JobMessage sentinel = message();
        queue.publish(Topic.VIDEO, sentinel);
        consume(Topic.VIDEO, 1, d -> seen.add(d.message()));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).contains(sentinel));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() ->
                assertThat(seen).containsExactly(first, sentinel));
    }

    @Test
    void concurrencyBoundsMessagesInFlight() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        consume(Topic.VIDEO, 2, d -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            release.await(20, TimeUnit.SECONDS);
            inFlight.decrementAndGet();
            handled.incrementAndGet();
        });
        for (int i = 0; i < 5; i++) {
            queue.publish(Topic.VIDEO, message());
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(inFlight).hasValue(2));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() -> assertThat(most).hasValue(2));
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(handled).hasValue(5));
        assertThat(most).hasValue(2);
    }

    @Test
    void failingMessageIsRetriedUpToTheLimitThenDeadLettered() {
        List<Integer> counts = new CopyOnWriteArrayList<>();
        consume(Topic.VIDEO, 1, d -> {
            counts.add(d.deliveryCount());
            throw new IllegalStateException("store down");
        });
        JobMessage poison = message();
        queue.publish(Topic.VIDEO, poison);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(deadLetters(Topic.VIDEO)).containsExactly(poison));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() ->
                assertThat(counts).containsExactly(1, 2, 3));
        assertThat(deadLetters(Topic.MP3)).isEmpty();
        assertThat(counter("mp3conv.queue.redelivered", Topic.VIDEO)).isEqualTo(2);
        assertThat(counter("mp3conv.queue.dead_lettered", Topic.VIDEO)).isEqualTo(1);
    }

    @Test
    void messageThatSucceedsOnRetryIsAckedAndNotDeadLettered() {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        consume(Topic.MP3, 1, d -> {
            deliveries.add(d);
            if (d.deliveryCount() == 1) {
                throw new java.io.IOException("smtp timeout");
            }
        });
        JobMessage message = message();
        queue.publish(Topic.MP3, message);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deliveries).hasSize(2));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() -> assertThat(deliveries).hasSize(2));
        assertThat(deliveries.get(1).redelivered()).isTrue();
        assertThat(deliveries.get(1).message()).isEqualTo(message);
        assertThat(deadLetters(Topic.MP3)).isEmpty();
    }

    @Test
    void permanentFailureGoesStraightToTheDeadLetterQueue() {
        List<Integer> counts = new CopyOnWriteArrayList<>();
        consume(Topic.VIDEO, 1, d -> {
            counts.add(d.deliveryCount());
            throw new PermanentFailureException("not a video", null);
        });
        JobMessage message = message();
        queue.publish(Topic.VIDEO, message);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deadLetters(Topic.VIDEO)).containsExactly(message));
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() -> assertThat(counts).containsExactly(1));
        assertThat(counter("mp3conv.queue.dead_lettered", Topic.VIDEO)).isEqualTo(1);
    }

    @Test
    void idempotentHandlerProcessesEachJobOnceDespiteDuplicateMessages() {
        JobRepository repository = jobs.repository();
        Map<String, AtomicInteger> work = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        consume(Topic.VIDEO, 3, d -> {
            claimAndConvert(repository, d.message().jobId(), work);
            handled.incrementAndGet();
        });
        Job alreadyDone = jobs.insert();
        claimAndConvert(repository, alreadyDone.id(), work);
        List<Job> fresh = List.of(jobs.insert(), jobs.insert(), jobs.insert(), jobs.insert());
        // every message twice, as after a lost confirm and a sweeper republish; and one for a DONE job
        for (Job job : fresh) {
            queue.publish(Topic.VIDEO, job.message());
        }
        for (Job job : fresh) {
            queue.publish(Topic.VIDEO, job.message());
        }
        queue.publish(Topic.VIDEO, alreadyDone.message());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handled).hasValue(9));
        for (Job job : fresh) {
            Job stored = repository.find(job.id()).orElseThrow();
            assertThat(stored.state()).isEqualTo(JobState.DONE);
            assertThat(stored.attempts()).isEqualTo(1);
            assertThat(work.get(job.id())).hasValue(1);
        }
        assertThat(work.get(alreadyDone.id())).hasValue(1);
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).untilAsserted(() -> assertThat(handled).hasValue(9));
        assertThat(deadLetters(Topic.VIDEO)).isEmpty();
    }

    /**
     * What a converter does: claim the job (a DONE job or one held by a live worker is skipped and
     * its message acked), do the work once, complete it.
     */
    static void claimAndConvert(JobRepository repository, String jobId, Map<String, AtomicInteger> work) {
        String worker = "worker-" + Thread.currentThread().threadId();
        Optional<Job> claimed = repository.claim(jobId, worker, Duration.ofMinutes(1));
        if (claimed.isEmpty()) {
            return;
        }
        work.computeIfAbsent(jobId, id -> new AtomicInteger()).incrementAndGet();
        assertThat(repository.complete(jobId, worker, "mp3-" + jobId, 42, "00", "192k")).isPresent();
    }

    JobQueue.Consumer consume(Topic topic, int concurrency, MessageHandler handler) {
        JobQueue.Consumer consumer = queue.consume(topic, concurrency, handler);
        consumers.add(consumer);
        return consumer;
    }

    long counter(String name, Topic topic) {
        return absolute(name, topic) - baseline.getOrDefault(name.substring("mp3conv.queue.".length()) + topic, 0L);
    }

    private long absolute(String name, Topic topic) {
        return registry.counter(name, List.of(Tag.create("topic", topic.name().toLowerCase())))
                .map(Counter::count).orElse(0L);
    }

    static JobMessage message() {
        String id = new ObjectId().toHexString();
        return new JobMessage(id, "video-" + id, null, "owner@example.org");
    }
}
