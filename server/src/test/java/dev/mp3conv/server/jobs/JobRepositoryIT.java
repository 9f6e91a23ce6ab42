package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobRepositoryIT {
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;

    @BeforeAll
    static void startMongo() {
        mongo = MemoryMongo.start("jobs-it");
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
    }

    private Job newJob(String owner) {
        Job job = Job.queued(new ObjectId().toHexString(), owner, owner + "@example.com", "talk.mp4", "video/mp4",
                1000, "ab", new ObjectId().toHexString(), "192k", null, clock.instant());
        jobs.insert(job);
        return job;
    }

    @Test
    void storedJobReadsBackIdentically() {
        Job job = newJob("alice");
        assertThat(jobs.find(job.id())).contains(job);
        assertThat(jobs.findOwned(job.id(), "alice")).contains(job);
        assertThat(jobs.findOwned(job.id(), "bob")).isEmpty();
        assertThat(jobs.find("not-an-id")).isEmpty();
    }

    @Test
    void exactlyOneOfManyConcurrentClaimsWins() throws Exception {
        Job job = newJob("alice");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Optional<Job>>> claims = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String worker = "w" + i;
                claims.add(pool.submit((Callable<Optional<Job>>) () -> jobs.claim(job.id(), worker, LEASE)));
            }
            int winners = 0;
            for (Future<Optional<Job>> claim : claims) {
                winners += claim.get().isPresent() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        Job claimed = jobs.find(job.id()).orElseThrow();
        assertThat(claimed.state()).isEqualTo(JobState.CONVERTING);
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(claimed.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
    }

    @Test
    void anExpiredLeaseCanBeClaimedAgainAndTheOldWorkerLosesIt() {
        Job job = newJob("alice");
        assertThat(jobs.claim(job.id(), "w1", LEASE)).isPresent();
        assertThat(jobs.claim(job.id(), "w2", LEASE)).as("lease still live").isEmpty();

        clock.advance(LEASE.plusSeconds(1));
        assertThat(jobs.expiredLeases(clock.instant(), 10)).extracting(Job::id).contains(job.id());
        assertThat(jobs.claim(job.id(), "w2", LEASE)).hasValueSatisfying(j -> assertThat(j.attempts()).isEqualTo(2));

        assertThat(jobs.renew(job.id(), "w1", LEASE, 0.5)).as("old worker lost the lease").isFalse();
        assertThat(jobs.complete(job.id(), "w1", "m1", 10, "00", "192k")).isEmpty();
        assertThat(jobs.renew(job.id(), "w2", LEASE, 0.5)).isTrue();
        assertThat(jobs.complete(job.id(), "w2", "m2", 10, "ab", "192k")).hasValueSatisfying(done -> {
            assertThat(done.state()).isEqualTo(JobState.DONE);
            assertThat(done.mp3Fid()).isEqualTo("m2");
            assertThat(done.mp3Sha256()).isEqualTo("ab");
            assertThat(done.progress()).isEqualTo(1.0);
            assertThat(done.leaseOwner()).isNull();
        });
        assertThat(jobs.claim(job.id(), "w3", LEASE)).as("a DONE job is never claimed").isEmpty();
        assertThat(jobs.findByMp3("m2", "alice")).isPresent();
        assertThat(jobs.findByMp3("m2", "bob")).isEmpty();
    }

    @Test
    void failureAndReleaseFollowTheLease() {
        Job job = newJob("alice");
        jobs.claim(job.id(), "w1", LEASE);
        assertThat(jobs.release(job.id(), "w2")).isFalse();
        assertThat(jobs.release(job.id(), "w1")).isTrue();
        assertThat(jobs.find(job.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);

        jobs.claim(job.id(), "w1", LEASE);
        JobError error = new JobError("no-audio", "the file has no audio stream");
        assertThat(jobs.fail(job.id(), "w2", error)).isEmpty();
        assertThat(jobs.fail(job.id(), "w1", error)).hasValueSatisfying(failed -> {
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.error()).isEqualTo(error);
        });
        assertThat(jobs.fail(job.id(), null, error)).as("terminal stays terminal").isEmpty();
    }

    @Test
    void notificationIsClaimedOnceAndCanBeGivenBack() {
        Job job = newJob("alice");
        assertThat(jobs.claimNotification(job.id(), "email")).as("not finished yet").isEmpty();
        jobs.claim(job.id(), "w1", LEASE);
        jobs.complete(job.id(), "w1", "m1", 10, "00", null);

        assertThat(jobs.claimNotification(job.id(), "email")).isPresent();
        assertThat(jobs.claimNotification(job.id(), "email")).isEmpty();
        jobs.releaseNotification(job.id());
        assertThat(jobs.claimNotification(job.id(), "log")).hasValueSatisfying(j ->
                assertThat(j.notifyChannel()).isEqualTo("log"));
    }

    @Test
    void listingIsNewestFirstPerOwnerWithACursor() {
        String owner = "lister-" + System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(newJob(owner).id());
        }
        newJob("someone-else");
        List<Job> first = jobs.list(owner, null, 3);
        assertThat(first).extracting(Job::id).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        List<Job> second = jobs.list(owner, first.get(2).id(), 3);
        assertThat(second).extracting(Job::id).containsExactly(ids.get(1), ids.get(0));
    }
}
