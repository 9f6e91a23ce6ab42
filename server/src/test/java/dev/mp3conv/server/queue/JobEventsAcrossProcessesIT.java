package dev.mp3conv.server.queue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobChanges;
import dev.mp3conv.server.jobs.JobRepository;
import io.helidon.metrics.api.Metrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processes on one broker and one jobs collection: a change made through the converter's
 * repository wakes a watcher in the gateway's process through the job-events exchange, within
 * milliseconds, and a process never hears its own announcements back.
 */
class JobEventsAcrossProcessesIT {
    @BeforeAll
    static void broker() {
        TestBroker.require();
    }

    @Test
    void aChangeInOneProcessWakesAWatcherInAnotherWellBeforeTheFallbackPoll() throws Exception {
        RabbitConfig config = TestBroker.config(5, Duration.ofSeconds(2));
        try (MemoryJobs store = new MemoryJobs();
             RabbitJobQueue converterQueue = RabbitJobQueue.open(config, new QueueMetrics(Metrics.globalRegistry()));
             RabbitJobQueue gatewayQueue = RabbitJobQueue.open(config, new QueueMetrics(Metrics.globalRegistry()))) {
            // the converter's process: its repository announces, its queue forwards
            JobChanges converterChanges = new JobChanges();
            converterChanges.forwardTo(converterQueue::announce);
            List<String> heardByConverter = new CopyOnWriteArrayList<>();
            converterQueue.onAnnouncement(heardByConverter::add);
            JobRepository converterJobs = new JobRepository(store.store(), Clock.systemUTC(), converterChanges);
            // the gateway's process: listens, and its SSE stream watches one job
            JobChanges gatewayChanges = new JobChanges();
            gatewayQueue.onAnnouncement(gatewayChanges::changedElsewhere);
            Job job = store.insert();
            Semaphore woken = new Semaphore(0);
            try (JobChanges.Watch watch = gatewayChanges.watch(job.id(), woken::release)) {
                List<Long> delays = new CopyOnWriteArrayList<>();
                long start = System.nanoTime();
                converterJobs.claim(job.id(), "converter-1", Duration.ofMinutes(1)).orElseThrow();
                assertThat(woken.tryAcquire(5, TimeUnit.SECONDS)).as("woken by the claim").isTrue();
                delays.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                for (double progress : new double[] {0.2, 0.4, 0.6, 0.8}) {
                    start = System.nanoTime();
                    assertThat(converterJobs.renew(job.id(), "converter-1", Duration.ofMinutes(1), progress)).isTrue();
                    assertThat(woken.tryAcquire(5, TimeUnit.SECONDS)).as("woken by progress " + progress).isTrue();
                    delays.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                System.out.println("cross-process wake-up after the change (ms): " + delays);
                // nothing but the announcement wakes this watch; woken well within the SSE stream's 2 s fallback read
                // (the bound leaves room for a loaded machine: a wake-up takes milliseconds, docs/gateway.md)
                assertThat(delays).allSatisfy(ms -> assertThat(ms).isLessThanOrEqualTo(500L));
            }
            // the gateway's own announcements reach the converter's listener, never back to itself
            gatewayQueue.announce(job.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> heardByConverter.contains(job.id()));
            assertThat(heardByConverter).as("the converter never hears its own five changes").containsExactly(job.id());
        } finally {
            TestBroker.deleteTopology(config);
        }
    }
}
