package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storage count against the stand-in, through the real driver, and completing a job that charges it. */
class StorageQuotaIT {
    private static final long QUOTA = 1000;
    private static final Duration STALE = Duration.ofHours(1);
    private MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;
    private StorageQuota quota;

    @BeforeEach
    void setUp() {
        mongo = MemoryMongo.start("quota-it");
        clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
        quota = new StorageQuota(mongo.mongo(), jobs, QUOTA, STALE);
    }

    @AfterEach
    void tearDown() {
        mongo.close();
    }

    @Test
    void reservationsUpToTheQuotaAreTakenAndTheOneThatWouldPassItIsRefused() {
        StorageQuota.Reservation first = quota.reserve("u1", false, 600);
        quota.reserve("u1", false, 400).commit(400);
        assertThat(quota.usage("u1", false)).isEqualTo(new StorageQuota.Usage(1000, QUOTA));

        assertThatThrownBy(() -> quota.reserve("u1", false, 1))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(413);
                    assertThat(e.quota()).isEqualTo(QUOTA);
                    assertThat(e.used()).isEqualTo(1000);
                    assertThat(e.getMessage()).contains("1000 of 1000 bytes are in use");
                });
        first.release();
        assertThat(quota.usage("u1", false).used()).isEqualTo(400);
        assertThat(quota.usage("u2", false).used()).as("per user").isZero();
    }

    @Test
    void concurrentReservationsNeverPassTheQuotaTogether() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                Callable<Boolean> reserve = () -> {
                    start.await();
                    try {
                        quota.reserve("u1", false, 300);
                        return true;
                    } catch (QuotaExceededException e) {
                        return false;
                    }
                };
                results.add(pool.submit(reserve));
            }
            start.countDown();
            long won = 0;
            for (Future<Boolean> result : results) {
                won += result.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(3);
            assertThat(quota.usage("u1", false).used()).isEqualTo(900);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aGrowingReservationStopsAtTheQuotaAndCommitsWhatWasStored() {
        StorageQuota.Reservation upload = quota.reserve("u1", false, 0);
        upload.grow(700);
        assertThatThrownBy(() -> upload.grow(301)).isInstanceOf(QuotaExceededException.class);
        upload.grow(300);
        assertThat(upload.reserved()).isEqualTo(1000);
        upload.commit(650);
        upload.close();
        assertThat(quota.usage("u1", false).used()).as("commit counts once, close after it is a no-op").isEqualTo(650);
    }

    @Test
    void adminsAreUnlimitedUnlessSetAndAQuotaCanBeSetPerUser() {
        quota.reserve("admin", true, 1_000_000).commit(1_000_000);
        assertThat(quota.usage("admin", true).unlimited()).isTrue();

        quota.setQuota("admin", 2_000_000L);
        assertThat(quota.usage("admin", true).quota()).isEqualTo(2_000_000);
        assertThatThrownBy(() -> quota.reserve("admin", true, 1_000_001)).isInstanceOf(QuotaExceededException.class);

        quota.setQuota("u1", StorageQuota.UNLIMITED);
        quota.reserve("u1", false, 5000).commit(5000);
        quota.setQuota("u1", null);
        assertThat(quota.usage("u1", false)).isEqualTo(new StorageQuota.Usage(5000, QUOTA));
        assertThatThrownBy(() -> quota.reserve("u1", false, 1)).isInstanceOf(QuotaExceededException.class);
    }

    @Test
    void reconcilingSetsTheCountToWhatTheJobsHoldUnlessAChangeIsOpen() {
        Job job = Job.queued(new ObjectId().toHexString(), "u1", "u1@example.com", "a.mp4", "video/mp4", 300, "00",
                "v1", null, null, clock.instant());
        jobs.insert(job);
        quota.reserve("u1", false, 0).commit(999); // drifted: a process died between two writes, say
        StorageQuota.Reservation open = quota.reserve("u1", false, 1);

        assertThat(quota.reconcile("u1", false)).as("an upload is under way").isFalse();
        assertThat(quota.usage("u1", false).used()).isEqualTo(1000);

        clock.advance(STALE.plusSeconds(1));
        assertThat(quota.reconcileSome(10)).as("the open change went stale: its process died").isEqualTo(1);
        assertThat(quota.usage("u1", false).used()).isEqualTo(300);

        open.release();
        quota.begin("u1").commit(0);
        assertThat(quota.reconcile("u1", false)).isTrue();
        assertThat(quota.usage("u1", false).used()).as("right again after the late release").isEqualTo(300);
    }

    @Test
    void aUserWithAnUploadUnderWayDoesNotHoldUpTheOthersCounts() {
        quota.reserve("busy", false, 10); // open
        clock.advance(Duration.ofSeconds(1));
        quota.reserve("drifted", false, 0).commit(77); // no job holds these bytes
        assertThat(quota.reconcileSome(1)).as("the busy user comes first and is skipped").isZero();
        assertThat(quota.reconcileSome(1)).isEqualTo(1);
        assertThat(quota.usage("drifted", false).used()).isZero();
        assertThat(quota.usage("busy", false).used()).isEqualTo(10);
    }

    @Test
    void afterARestartOfTheOnlyProcessOpenChangesAreDropped() {
        quota.reserve("u1", false, 400); // an upload that died with the process
        assertThat(quota.reconcile("u1", false)).isFalse();
        assertThat(quota.reconcileAllAfterRestart()).isEqualTo(1);
        assertThat(quota.usage("u1", false).used()).isZero();
        quota.reserve("u1", false, 1000).commit(1000);
        assertThat(quota.usage("u1", false).used()).as("the whole quota is free again").isEqualTo(1000);
    }

    @Test
    void completingAJobChargesItsMp3ToTheOwner() {
        Job job = claimed("w1");
        BlobInfo mp3 = mp3(job, 500);

        JobCompletion.Outcome outcome = new JobCompletion(jobs, quota).complete(job, "w1", mp3, "ab", "192k");

        assertThat(outcome).isInstanceOfSatisfying(JobCompletion.Done.class, done -> {
            assertThat(done.job().state()).isEqualTo(JobState.DONE);
            assertThat(done.job().mp3Fid()).isEqualTo(mp3.id());
        });
        assertThat(quota.usage("u1", false).used()).isEqualTo(500);
    }

    @Test
    void aWorkerThatLostTheLeaseCompletesNothingAndIsNotCharged() {
        Job job = claimed("w1");

        JobCompletion.Outcome outcome = new JobCompletion(jobs, quota).complete(job, "w2", mp3(job, 500), "ab", "192k");

        assertThat(outcome).isInstanceOf(JobCompletion.NotHeld.class);
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.CONVERTING);
        assertThat(quota.usage("u1", false).used()).isZero();
    }

    private Job claimed(String worker) {
        Job job = Job.queued(new ObjectId().toHexString(), "u1", "u1@example.com", "a.mp4", "video/mp4", 1, "00",
                new ObjectId().toHexString(), null, null, clock.instant());
        jobs.insert(job);
        return jobs.claim(job.id(), worker, Duration.ofMinutes(1)).orElseThrow();
    }

    private static BlobInfo mp3(Job job, long length) {
        return new BlobInfo(new ObjectId().toHexString(), length,
                new BlobMetadata("u1", job.id(), "audio/mpeg", "a.mp3"), Instant.EPOCH);
    }
}
