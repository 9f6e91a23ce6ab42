package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.queue.InProcessJobQueue;
import dev.mp3conv.server.queue.QueueMetrics;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import io.helidon.metrics.api.Metrics;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JobSweeperIT {
    private static final Duration LEASE = Duration.ofMinutes(2);
    private MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;
    private InProcessJobQueue queue;
    private final List<JobMessage> videos = new CopyOnWriteArrayList<>();
    private final List<JobMessage> mp3s = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        mongo = MemoryMongo.start("sweeper-it");
        clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
        queue = new InProcessJobQueue(3, new QueueMetrics(Metrics.globalRegistry()));
        queue.consume(Topic.VIDEO, 1, d -> videos.add(d.message()));
        queue.consume(Topic.MP3, 1, d -> mp3s.add(d.message()));
    }

    @AfterEach
    void tearDown() {
        queue.close();
        mongo.close();
    }

    private Job job(JobState target) {
        Job job = Job.queued(new ObjectId().toHexString(), "u", "u@example.com", "a.mp4", "video/mp4", 1, "00",
                new ObjectId().toHexString(), null, null, clock.instant());
        jobs.insert(job);
        if (target != JobState.QUEUED) {
            jobs.claim(job.id(), "dead-worker", LEASE);
        }
        if (target == JobState.DONE) {
            jobs.complete(job.id(), "dead-worker", new ObjectId().toHexString(), 5, "00", "192k");
        }
        return job;
    }

    @Test
    void afterARestartEveryUnfinishedJobIsRepublished() {
        Job queued = job(JobState.QUEUED);
        jobs.markVideoPublished(queued.id()); // published to a queue that died with the process
        Job converting = job(JobState.CONVERTING);
        Job done = job(JobState.DONE);
        Job notified = job(JobState.DONE);
        jobs.claimNotification(notified.id(), "log");

        JobSweeper sweeper = new JobSweeper(jobs, queue, Duration.ofMinutes(1), Duration.ofMinutes(15));
        assertThat(sweeper.recoverAfterRestart()).isEqualTo(3);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(videos).extracting(JobMessage::jobId).containsExactlyInAnyOrder(queued.id(), converting.id());
            assertThat(mp3s).extracting(JobMessage::jobId).containsExactly(done.id());
        });
        assertThat(jobs.find(converting.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void sweepRepublishesOnlyWhatIsStuckPastTheGracePeriod() {
        Job unpublished = job(JobState.QUEUED);
        Job published = job(JobState.QUEUED);
        jobs.markVideoPublished(published.id());
        Job leased = job(JobState.CONVERTING);
        JobSweeper sweeper = new JobSweeper(jobs, queue, Duration.ofMinutes(1), Duration.ofMinutes(15));

        assertThat(sweeper.sweep()).as("nothing is stuck yet").isZero();

        clock.advance(LEASE.plusSeconds(1));
        assertThat(sweeper.sweep()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(videos).extracting(JobMessage::jobId)
                        .containsExactlyInAnyOrder(unpublished.id(), leased.id()));
        assertThat(jobs.find(unpublished.id()).orElseThrow().videoPublishedAt()).isNotNull();
        assertThat(sweeper.sweep()).as("republished jobs are not republished again").isZero();
    }

    @Test
    void confirmedMessagesThatWereLostArePublishedAgainOncePerStalePeriod() {
        Job lostVideo = job(JobState.QUEUED);
        jobs.markVideoPublished(lostVideo.id()); // confirmed, then dead-lettered while the store was down
        Job lostMp3 = job(JobState.DONE);
        jobs.markMp3Published(lostMp3.id());
        Job gaveUp = job(JobState.DONE);
        jobs.markMp3Published(gaveUp.id());
        jobs.recordNotifyError(gaveUp.id(), new dev.mp3conv.model.JobError("smtp-auth", "login refused"));
        JobSweeper sweeper = new JobSweeper(jobs, queue, Duration.ofMinutes(1), Duration.ofMinutes(15));

        clock.advance(Duration.ofMinutes(10));
        assertThat(sweeper.sweep()).as("not stale yet").isZero();

        clock.advance(Duration.ofMinutes(6));
        assertThat(sweeper.sweep()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(videos).extracting(JobMessage::jobId).containsExactly(lostVideo.id());
            assertThat(mp3s).extracting(JobMessage::jobId).containsExactly(lostMp3.id());
        });
        assertThat(sweeper.sweep()).as("the republish restarts the period").isZero();
    }
}
