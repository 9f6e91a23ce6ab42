package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Completing a job charges its MP3 to the owner exactly when the job holds it.
 */
class JobCompletionIT {
    private MemoryMongo mongo;
    private JobRepository jobs;
    private StorageQuota quota;
    private MutableClock clock;

    @BeforeEach
    void setUp() {
        mongo = MemoryMongo.start("completion-it");
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        jobs = new JobRepository(mongo.database(), clock);
        quota = new StorageQuota(mongo.database(), jobs, 1L << 30, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        mongo.close();
    }

    @Test
    void theHolderCompletesTheJobAndTheMp3IsCharged() {
        Job job = claimed("w1");
        BlobInfo mp3 = mp3(job, 5_000);

        JobCompletion.Outcome outcome = new JobCompletion(jobs, quota).complete(job, "w1", mp3, "ab", "192k");

        assertThat(outcome).isInstanceOfSatisfying(JobCompletion.Done.class, done -> {
            assertThat(done.job().state()).isEqualTo(JobState.DONE);
            assertThat(done.job().mp3Fid()).isEqualTo(mp3.id());
        });
        assertThat(quota.usage("u", false).used()).isEqualTo(5_000);
    }

    @Test
    void aWorkerThatLostTheLeaseRecordsNothingAndIsNotCharged() {
        Job job = claimed("w1");

        JobCompletion.Outcome outcome = new JobCompletion(jobs, quota).complete(job, "w2", mp3(job, 5_000), "ab", "192k");

        assertThat(outcome).isInstanceOf(JobCompletion.NotHeld.class);
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.CONVERTING);
        assertThat(quota.usage("u", false).used()).isZero();
    }

    private Job claimed(String worker) {
        Job job = Job.queued(new ObjectId().toHexString(), "u", "u@example.com", "a.mp4", "video/mp4", 1, "00",
                new ObjectId().toHexString(), null, null, clock.instant());
        jobs.insert(job);
        return jobs.claim(job.id(), worker, Duration.ofMinutes(1)).orElseThrow();
    }

    private static BlobInfo mp3(Job job, long length) {
        return new BlobInfo(new ObjectId().toHexString(), length, new BlobMetadata("u", job.id(), "audio/mpeg", "a.mp3"),
                Instant.EPOCH);
    }
}
