package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The counts behind {@code converter.per-user}: live leases per owner, and undoing a claim. */
class JobLeasesIT {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;

    @BeforeAll
    static void startMongo() {
        mongo = MemoryMongo.start("leases-it");
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
    }

    private String newJob(String owner) {
        Job job = Job.queued(new ObjectId().toHexString(), owner, owner + "@example.com", "a.mp4", "video/mp4",
                1, "ab", "0".repeat(32), null, null, clock.instant());
        jobs.insert(job);
        return job.id();
    }

    @Test
    void liveLeasesCountOnlyTheOwnersConvertingJobsWhoseLeaseHasNotRunOut() {
        String owner = "u" + new ObjectId();
        String first = newJob(owner);
        String second = newJob(owner);
        String queued = newJob(owner);
        String someoneElses = newJob("u" + new ObjectId());
        jobs.claim(first, "w1", LEASE).orElseThrow();
        jobs.claim(someoneElses, "w1", LEASE).orElseThrow();
        clock.advance(Duration.ofSeconds(20));
        jobs.claim(second, "w2", LEASE).orElseThrow();

        assertThat(jobs.liveLeases(owner, queued)).isEqualTo(2);
        assertThat(jobs.liveLeases(owner, first)).as("the job itself is left out").isEqualTo(1);
        clock.advance(Duration.ofSeconds(15));
        assertThat(jobs.liveLeases(owner, queued)).as("the first lease ran out (its worker died)").isEqualTo(1);
    }

    @Test
    void twoClaimsThatRacedEachSeeTheOtherOnceBothLanded() {
        String owner = "u" + new ObjectId();
        String running = newJob(owner);
        String a = newJob(owner);
        String b = newJob(owner);
        jobs.claim(running, "w0", LEASE).orElseThrow();
        jobs.claim(a, "w1", LEASE).orElseThrow();
        jobs.claim(b, "w2", LEASE).orElseThrow();
        // with per-user 2, both count 2 others after their own claim: both give way, never three convert
        assertThat(jobs.liveLeases(owner, a)).isEqualTo(2);
        assertThat(jobs.liveLeases(owner, b)).isEqualTo(2);
        assertThat(jobs.unclaim(b, "w2")).isTrue();
        assertThat(jobs.liveLeases(owner, a)).as("once one gave way").isEqualTo(1);
    }

    @Test
    void undoingAClaimQueuesTheJobAgainWithoutCountingTheAttempt() {
        String id = newJob("u" + new ObjectId());
        jobs.claim(id, "w1", LEASE).orElseThrow();
        assertThat(jobs.unclaim(id, "w2")).as("only the worker holding it").isFalse();
        assertThat(jobs.unclaim(id, "w1")).isTrue();
        Job job = jobs.find(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.attempts()).isZero();
        assertThat(job.leaseOwner()).isNull();
        assertThat(jobs.claim(id, "w2", LEASE)).hasValueSatisfying(again -> assertThat(again.attempts()).isEqualTo(1));
    }
}
