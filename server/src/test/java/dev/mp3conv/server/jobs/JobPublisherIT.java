package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.MessageHandler;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.testing.LogCapture;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one publish-and-record: what it records for each kind of message, and what it does when the
 * queue or the store is away.
 */
class JobPublisherIT {
    private MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;
    private SegmentRepository segments;
    private final RecordingQueue queue = new RecordingQueue();

    @BeforeEach
    void setUp() {
        mongo = MemoryMongo.start("publisher-it");
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
        segments = new SegmentRepository(mongo.mongo(), clock);
    }

    @AfterEach
    void tearDown() {
        mongo.close();
    }

    @Test
    void aConfirmedVideoMessageIsRecordedOnTheJob() {
        Job job = queuedJob();
        JobPublisher publisher = new JobPublisher(queue, jobs);

        assertThat(publisher.publish(Topic.VIDEO, job)).isTrue();

        assertThat(queue.published).containsExactly(Topic.VIDEO + " " + job.id() + " null");
        assertThat(jobs.queuedUnpublished(clock.instant().plusSeconds(1), 10)).isEmpty();
    }

    @Test
    void aConfirmedMp3MessageIsRecordedOnTheJob() {
        Job job = queuedJob();
        jobs.claim(job.id(), "w", Duration.ofMinutes(1));
        Job done = jobs.complete(job.id(), "w", new ObjectId().toHexString(), 5, "00", "192k").orElseThrow();
        assertThat(jobs.unnotified(clock.instant().plusSeconds(1), false, 10)).extracting(Job::id).containsExactly(job.id());

        assertThat(new JobPublisher(queue, jobs).publish(Topic.MP3, done)).isTrue();

        assertThat(queue.published).containsExactly(Topic.MP3 + " " + job.id() + " null");
        assertThat(jobs.unnotified(clock.instant().plusSeconds(1), false, 10)).isEmpty();
        assertThat(jobs.queuedUnpublished(clock.instant().plusSeconds(1), 10)).isEmpty();
    }

    @Test
    void aSegmentsMessageIsRecordedOnItsUnitNotOnTheJob() {
        Job job = queuedJob();
        segments.replacePlan(List.of(Segment.encode(job.id(), 0, 2, 44_100, 0, 44_100, 0, 0, 1.0),
                Segment.encode(job.id(), 1, 2, 44_100, 44_100, -1, 0, 0, 1.0)));
        Instant before = clock.instant().plusSeconds(1);
        Instant publishedBefore = clock.instant().minusSeconds(60);

        assertThat(new JobPublisher(queue, jobs).withSegments(segments).publishSegment(job, 1)).isTrue();

        assertThat(queue.published).containsExactly(Topic.VIDEO + " " + job.id() + " 1");
        assertThat(segments.queuedUntaken(before, publishedBefore, 10)).extracting(Segment::index).containsExactly(0);
        assertThat(jobs.queuedUnpublished(before, 10)).extracting(Job::id).containsExactly(job.id());
    }

    @Test
    void aPublisherOfWholeJobsRefusesASegmentsMessage() {
        Job job = queuedJob();

        assertThatThrownBy(() -> new JobPublisher(queue, jobs).publishSegment(job, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThat(queue.published).isEmpty();
    }

    @Test
    void whenTheQueueIsAwayNothingIsRecordedSoTheSweeperPublishesIt() {
        Job job = queuedJob();
        queue.down = true;

        assertThat(new JobPublisher(queue, jobs).publish(Topic.VIDEO, job)).isFalse();

        assertThat(jobs.queuedUnpublished(clock.instant().plusSeconds(1), 10)).extracting(Job::id)
                .containsExactly(job.id());
    }

    @Test
    void whenTheStoreFailsAfterTheConfirmTheMessageIsStillOut() {
        Job job = queuedJob();
        MemoryMongo gone = MemoryMongo.start("publisher-it-gone");
        JobRepository broken = new JobRepository(gone.mongo(), clock);
        gone.close();

        try (LogCapture log = LogCapture.start()) {
            assertThat(new JobPublisher(queue, broken).publish(Topic.VIDEO, job)).isTrue();

            assertThat(log.lines()).anyMatch(line -> line.contains("job " + job.id()
                    + ": video message published, but the publish was not recorded"));
        }
        assertThat(queue.published).containsExactly(Topic.VIDEO + " " + job.id() + " null");
    }

    private Job queuedJob() {
        Job job = Job.queued(new ObjectId().toHexString(), "u", "u@example.com", "a.mp4", "video/mp4", 1, "00",
                new ObjectId().toHexString(), null, null, clock.instant());
        jobs.insert(job);
        return job;
    }

    /** A queue that confirms every publish (and keeps it), or is away. */
    private static final class RecordingQueue implements JobQueue {
        private final List<String> published = new CopyOnWriteArrayList<>();
        private volatile boolean down;

        @Override
        public void publish(Topic topic, JobMessage message) {
            if (down) {
                throw new QueueUnavailableException("broker away", null);
            }
            published.add(topic + " " + message.jobId() + " " + message.segment());
        }

        @Override
        public Consumer consume(Topic topic, int concurrency, MessageHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean ready() {
            return !down;
        }

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
