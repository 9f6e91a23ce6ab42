package dev.mp3conv.server.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.JobSweeper;
import io.helidon.metrics.api.Metrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker closes our connection while jobs stream through: readiness goes down and comes back,
 * publishing resumes after automatic recovery, and every job accepted before, during and after the
 * outage is processed exactly once as the jobs collection sees it (publishes that failed during the
 * outage are left to the outbox sweeper, as the gateway leaves them).
 */
class RabbitRecoveryIT {
    private static final int FAILED_PUBLISHES_DURING_OUTAGE = 30;

    @BeforeAll
    static void broker() {
        TestBroker.require();
    }

    @Test
    void connectionClosedByTheBrokerMidStreamLosesNothingAndProcessesNothingTwice() throws Exception {
        RabbitConfig config = TestBroker.config(5, Duration.ofSeconds(2));
        Map<String, AtomicInteger> work = new ConcurrentHashMap<>();
        List<Job> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger failedPublishes = new AtomicInteger();
        try (MemoryJobs jobs = new MemoryJobs();
             RabbitJobQueue queue = RabbitJobQueue.open(config, new QueueMetrics(Metrics.globalRegistry()))) {
            JobRepository repository = jobs.repository();
            queue.consume(Topic.VIDEO, 4, d -> JobQueueContract.claimAndConvert(repository, d.message().jobId(), work));
            Upload upload = new Upload(jobs, queue, accepted, failedPublishes);

            AtomicBoolean stop = new AtomicBoolean();
            Thread stream = Thread.ofVirtual().name("uploads").start(() -> {
                while (!stop.get() && failedPublishes.get() < FAILED_PUBLISHES_DURING_OUTAGE) {
                    upload.accept();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 100);
            assertThat(queue.ready()).isTrue();

            assertThat(TestBroker.closeConnections(config.connectionName())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> !queue.ready());
            await().atMost(Duration.ofSeconds(30)).until(queue::ready);
            stop.set(true);
            stream.join(Duration.ofSeconds(30));
            assertThat(stream.isAlive()).isFalse();
            assertThat(failedPublishes.get()).as("publishes that failed while disconnected").isPositive();

            int failedBefore = failedPublishes.get();
            for (int i = 0; i < 100; i++) {
                upload.accept();
            }
            assertThat(failedPublishes.get()).as("publishes failed after recovery").isEqualTo(failedBefore);

            JobSweeper sweeper = new JobSweeper(repository, queue, Duration.ZERO, Duration.ofMinutes(15));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                sweeper.sweep();
                assertThat(accepted).allSatisfy(job ->
                        assertThat(repository.find(job.id()).orElseThrow().state()).isEqualTo(JobState.DONE));
            });
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                    assertThat(work.values()).allSatisfy(count -> assertThat(count).hasValue(1)));
            assertThat(work.keySet()).containsExactlyInAnyOrderElementsOf(accepted.stream().map(Job::id).toList());
            assertThat(accepted).allSatisfy(job ->
                    assertThat(repository.find(job.id()).orElseThrow().attempts()).isEqualTo(1));
        } finally {
            TestBroker.deleteTopology(config);
        }
    }

    @Test
    void aJobAcceptedDuringAnOutageIsInTheBrokerWithinTwoSecondsOfTheReconnect() throws Exception {
        // the client reconnects 5 s after the broker drops it: a 5 s outage
        RabbitConfig config = TestBroker.config(5, Duration.ofSeconds(5));
        Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        List<Job> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger failedPublishes = new AtomicInteger();
        try (MemoryJobs jobs = new MemoryJobs();
             RabbitJobQueue queue = RabbitJobQueue.open(config, new QueueMetrics(Metrics.globalRegistry()))) {
            // the server's wiring, with a grace and an interval that would hold the job for a minute
            JobSweeper sweeper = new JobSweeper(jobs.repository(), queue, Duration.ofMinutes(1), Duration.ofMinutes(15));
            queue.onReconnect(sweeper::publishUnconfirmed);
            queue.consume(Topic.VIDEO, 1, d -> arrivedAt.putIfAbsent(d.message().jobId(), System.nanoTime()));
            Upload upload = new Upload(jobs, queue, accepted, failedPublishes);

            assertThat(TestBroker.closeConnections(config.connectionName())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> !queue.ready());
            long down = System.nanoTime();
            upload.accept();
            assertThat(failedPublishes).as("the publish during the outage").hasValue(1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(queue::ready);
            long reconnected = System.nanoTime();
            String id = accepted.getFirst().id();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> arrivedAt.containsKey(id));
            Duration outage = Duration.ofNanos(reconnected - down);
            Duration afterReconnect = Duration.ofNanos(arrivedAt.get(id) - reconnected);
            System.out.printf("outage %d ms, job delivered %d ms after the reconnect%n",
                    outage.toMillis(), afterReconnect.toMillis());
            assertThat(outage).isGreaterThan(Duration.ofSeconds(3));
            assertThat(afterReconnect).isLessThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(jobs.repository().find(id).orElseThrow().videoPublishedAt()).isNotNull();
        } finally {
            TestBroker.deleteTopology(config);
        }
    }

    /** What the gateway does: job first, then publish; a failed publish leaves the job to the sweeper. */
    private record Upload(MemoryJobs jobs, JobQueue queue, List<Job> accepted, AtomicInteger failedPublishes) {
        void accept() {
            Job job = jobs.insert();
            accepted.add(job);
            try {
                queue.publish(Topic.VIDEO, job.message());
                jobs.repository().markVideoPublished(job.id());
            } catch (QueueUnavailableException e) {
                failedPublishes.incrementAndGet();
            }
        }
    }
}
