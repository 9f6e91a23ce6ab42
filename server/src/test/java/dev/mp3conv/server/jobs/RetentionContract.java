package dev.mp3conv.server.jobs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.mp3conv.model.JobError;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention on a blob store: videos deleted, jobs expired to tombstones and then removed, orphan blobs
 * deleted, the storage count credited exactly once, with several sweepers at once. Each store's IT
 * extends this. The clock starts at the wall clock's now (blob ages are the store's wall-clock times),
 * in milliseconds as the store keeps them.
 */
abstract class RetentionContract {
    static final Retention RETENTION = new Retention(Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(3),
            Duration.ofDays(1));
    private static final String WORKER = "w";

    MemoryMongo mongo;
    MutableClock clock;
    JobRepository jobs;
    StorageQuota quota;

    abstract BlobStore blobs();

    @BeforeEach
    void setUpJobs() {
        mongo = MemoryMongo.start("retention-" + System.nanoTime());
        clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        jobs = new JobRepository(mongo.mongo(), clock, RETENTION);
        quota = new StorageQuota(mongo.mongo(), jobs, 1L << 30, Duration.ofHours(1));
    }

    @AfterEach
    void tearDownJobs() {
        mongo.close();
    }

    ExpirySweep sweep(int batch) {
        return new ExpirySweep(jobs, blobs(), quota, batch);
    }

    /** An upload as the gateway stores it: blob, job, counted. */
    Job uploaded(String owner, int size, Duration keep) throws IOException {
        String id = new ObjectId().toHexString();
        BlobInfo video = blobs().write(new BlobMetadata(owner, id, "video/mp4", "a.mp4"),
                new ByteArrayInputStream(new byte[size]));
        Job job = Job.queued(id, owner, owner + "@example.com", "a.mp4", "video/mp4", size, "00", video.id(), null,
                null, keep, clock.instant());
        jobs.insert(job);
        quota.reserve(owner, false, size).commit(size);
        return job;
    }

    /** A conversion as the converter finishes it: MP3 blob, DONE, counted. */
    Job converted(Job job, int mp3Size) throws IOException {
        jobs.claim(job.id(), WORKER, Duration.ofMinutes(1)).orElseThrow();
        BlobInfo mp3 = blobs().write(new BlobMetadata(job.owner(), job.id(), "audio/mpeg", "a.mp3"),
                new ByteArrayInputStream(new byte[mp3Size]));
        try (StorageQuota.Reservation charge = quota.begin(job.owner())) {
            Job done = jobs.complete(job.id(), WORKER, mp3.id(), mp3.length(), null, "192k").orElseThrow();
            charge.commit(mp3.length());
            return done;
        }
    }

    @Test
    void theVideoGoesFirstThenTheJobExpiresToATombstoneThenTheTombstoneGoes() throws IOException {
        Job done = converted(uploaded("u1", 1000, null), 300);
        Instant ended = clock.instant();
        assertThat(done.videoExpiresAt()).isEqualTo(ended.plus(RETENTION.videos()));
        assertThat(done.expiresAt()).isEqualTo(ended.plus(RETENTION.mp3s()));
        assertThat(done.view().expiresAt()).isEqualTo(done.expiresAt());
        assertThat(quota.usage("u1", false).used()).isEqualTo(1300);

        clock.advance(Duration.ofMinutes(59));
        assertThat(sweep(10).sweep()).isZero();
        assertThat(blobs().info(done.videoFid())).isPresent();

        clock.advance(Duration.ofMinutes(2));
        assertThat(sweep(10).sweep()).isEqualTo(1);
        assertThat(blobs().info(done.videoFid())).as("video deleted").isEmpty();
        assertThat(blobs().info(done.mp3Fid())).as("MP3 kept").isPresent();
        assertThat(jobs.find(done.id()).orElseThrow().videoDeletedAt()).isNotNull();
        assertThat(quota.usage("u1", false).used()).isEqualTo(300);

        clock.advance(Duration.ofHours(1));
        assertThat(sweep(10).sweep()).isEqualTo(1);
        assertThat(blobs().info(done.mp3Fid())).as("MP3 deleted").isEmpty();
        Job tombstone = jobs.find(done.id()).orElseThrow();
        assertThat(tombstone.expiredAt()).isEqualTo(clock.instant());
        assertThat(jobs.list("u1", null, 10)).as("expired jobs are not listed").isEmpty();
        assertThat(jobs.findByMp3(done.mp3Fid(), "u1")).as("the seed route still finds it, to answer 410").isPresent();
        assertThat(quota.usage("u1", false).used()).isZero();

        clock.advance(RETENTION.tombstones().plusSeconds(1));
        assertThat(sweep(10).sweep()).isEqualTo(1);
        assertThat(jobs.find(done.id())).isEmpty();
        assertThat(quota.reconcile("u1", false)).isTrue();
        assertThat(quota.usage("u1", false).used()).as("the count agrees with the jobs collection").isZero();
    }

    @Test
    void keepShortensTheRetentionButNeverLengthensIt() throws IOException {
        Job shortJob = converted(uploaded("u1", 10, Duration.ofMinutes(10)), 5);
        Job longJob = converted(uploaded("u1", 10, Duration.ofDays(30)), 5);
        assertThat(Duration.between(shortJob.updatedAt(), shortJob.expiresAt())).isEqualTo(Duration.ofMinutes(10));
        assertThat(Duration.between(shortJob.updatedAt(), shortJob.videoExpiresAt())).isEqualTo(Duration.ofMinutes(10));
        assertThat(Duration.between(longJob.updatedAt(), longJob.expiresAt())).isEqualTo(RETENTION.mp3s());

        clock.advance(Duration.ofMinutes(11));
        assertThat(sweep(10).sweep()).as("its video, then the job").isEqualTo(2);
        assertThat(jobs.find(shortJob.id()).orElseThrow().expiredAt()).isNotNull();
        assertThat(blobs().info(shortJob.videoFid())).isEmpty();
        assertThat(blobs().info(shortJob.mp3Fid())).isEmpty();
        assertThat(jobs.find(longJob.id()).orElseThrow().expiredAt()).isNull();
        assertThat(quota.usage("u1", false).used()).isEqualTo(15);
    }

    @Test
    void failedJobsLoseTheirVideoAndExpireToo() throws IOException {
        Job job = uploaded("u1", 100, null);
        jobs.claim(job.id(), WORKER, Duration.ofMinutes(1)).orElseThrow();
        Job failed = jobs.fail(job.id(), WORKER, new JobError("no-audio", "no audio")).orElseThrow();
        assertThat(failed.expiresAt()).isEqualTo(clock.instant().plus(RETENTION.mp3s()));

        clock.advance(RETENTION.mp3s().plusSeconds(1));
        assertThat(sweep(10).sweep()).as("video, then the job").isEqualTo(2);
        assertThat(blobs().info(job.videoFid())).isEmpty();
        assertThat(jobs.find(job.id()).orElseThrow().expiredAt()).isNotNull();
        assertThat(quota.usage("u1", false).used()).isZero();
    }

    @Test
    void sweepersOfSeveralProcessesDeleteAndCreditEachJobOnce() throws Exception {
        List<Job> done = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            done.add(converted(uploaded("u1", 100, null), 10));
        }
        assertThat(quota.usage("u1", false).used()).isEqualTo(1320);
        clock.advance(RETENTION.mp3s().plusSeconds(1));

        ExpirySweep one = sweep(5);
        ExpirySweep two = sweep(5);
        int deleted = 0;
        for (int round = 0; round < 4; round++) {
            CompletableFuture<Integer> a = CompletableFuture.supplyAsync(one::sweep);
            CompletableFuture<Integer> b = CompletableFuture.supplyAsync(two::sweep);
            deleted += a.get() + b.get();
        }
        assertThat(deleted).as("12 videos and 12 jobs, each once").isEqualTo(24);
        for (Job job : done) {
            assertThat(blobs().info(job.videoFid())).isEmpty();
            assertThat(blobs().info(job.mp3Fid())).isEmpty();
        }
        assertThat(quota.usage("u1", false).used()).isZero();
    }

    @Test
    void blobsNoJobHoldsAreDeletedOnceOlderThanTheOrphanAgeInBoundedPages() throws IOException {
        Job live = uploaded("u1", 10, null); // QUEUED: holds its video however old
        List<String> orphans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            orphans.add(blobs().write(new BlobMetadata("u1", new ObjectId().toHexString(), "video/mp4", "x.mp4"),
                    new ByteArrayInputStream(new byte[7])).id());
        }
        Job deleted = uploaded("u1", 10, null);
        jobs.delete(deleted.id()); // and then its blob delete failed, say
        orphans.add(deleted.videoFid());
        Job crashed = converted(uploaded("u1", 10, null), 5);
        // its video deletion was claimed, then the process died before deleting the blob
        jobs.claimVideoDeletion(crashed.id(), clock.instant().plus(RETENTION.videos())).orElseThrow();
        orphans.add(crashed.videoFid());

        assertThat(sweep(2).sweep()).as("nothing is due and every blob is younger than a day").isZero();
        assertThat(orphans).allSatisfy(id -> assertThat(blobs().info(id)).isPresent());

        clock.advance(RETENTION.orphans().plusMinutes(1));
        ExpirySweep sweep = sweep(2);
        sweep.sweep();
        assertThat(orphans.stream().filter(id -> blobs().info(id).isPresent()).count())
                .as("one page of 2 per sweep").isGreaterThanOrEqualTo(3);
        for (int i = 0; i < 10 && orphans.stream().anyMatch(id -> blobs().info(id).isPresent()); i++) {
            sweep.sweep();
        }
        assertThat(orphans).allSatisfy(id -> assertThat(blobs().info(id)).as("orphan %s", id).isEmpty());
        assertThat(blobs().info(live.videoFid())).as("its job still holds it").isPresent();
        assertThat(jobs.find(crashed.id()).orElseThrow().expiredAt()).as("expired meanwhile").isNotNull();
        assertThat(blobs().info(crashed.mp3Fid())).isEmpty();
    }
}
