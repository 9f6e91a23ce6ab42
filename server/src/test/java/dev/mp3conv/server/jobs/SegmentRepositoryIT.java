package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

/** Segment units: claims and leases like jobs, the hand-over of a job, and what the job sweeps leave alone. */
class SegmentRepositoryIT {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static MemoryMongo mongo;
    private MutableClock clock;
    private JobRepository jobs;
    private SegmentRepository segments;

    @BeforeAll
    static void startMongo() {
        mongo = MemoryMongo.start("segments-it");
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        jobs = new JobRepository(mongo.mongo(), clock);
        segments = new SegmentRepository(mongo.mongo(), clock);
    }

    private Job segmentedJob(int count) {
        Job job = Job.queued(new ObjectId().toHexString(), "alice", "alice@example.com", "talk.mp4", "video/mp4",
                1000, "ab", new ObjectId().toHexString(), null, null, clock.instant());
        jobs.insert(job);
        assertThat(jobs.claim(job.id(), "w1", LEASE)).isPresent();
        List<Segment> units = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            units.add(Segment.encode(job.id(), i, count, 44100, i * 1152L * 100, (i + 1) * 1152L * 100, 8, 108, 2.6));
        }
        units.add(Segment.stitch(job.id(), count, 44100));
        segments.replacePlan(units);
        assertThat(segments.handOver(job.id(), "w1", count)).isTrue();
        return jobs.find(job.id()).orElseThrow();
    }

    @Test
    void aHandedOverJobIsNeitherClaimableNorReclaimedByTheJobSweeps() {
        Job job = segmentedJob(2);
        assertThat(SegmentRepository.segmented(job)).isTrue();
        assertThat(job.leaseUntil()).isNull();
        clock.advance(Duration.ofHours(1));
        assertThat(jobs.claim(job.id(), "w2", LEASE)).isEmpty();
        assertThat(jobs.expiredLeases(clock.instant(), 100)).extracting(Job::id).doesNotContain(job.id());
        assertThat(jobs.renew(job.id(), "w1", LEASE, 0.5)).as("the first worker's lease is gone").isFalse();
        assertThat(segments.handOver(job.id(), "w1", 2)).isFalse();
    }

    @Test
    void unitsAreClaimedOnceLeasedRetakenAfterExpiryAndTheStitchWaitsForEveryEncode() {
        Job job = segmentedJob(2);
        Segment first = segments.claim(job.id(), 0, "w1", LEASE).orElseThrow();
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(segments.claim(job.id(), 0, "w2", LEASE)).isEmpty();
        assertThat(segments.claim(job.id(), 2, "w2", LEASE)).as("the stitch step waits").isEmpty();
        assertThat(segments.renew(first, "w1", LEASE, 0.4)).isTrue();
        assertThat(segments.renew(first, "w2", LEASE, 0.4)).isFalse();

        clock.advance(LEASE.plusSeconds(1));
        assertThat(segments.expiredLeases(clock.instant(), 100)).filteredOn(unit -> unit.jobId().equals(job.id()))
                .extracting(Segment::index).containsExactly(0);
        Segment retaken = segments.claim(job.id(), 0, "w2", LEASE).orElseThrow();
        assertThat(retaken.attempts()).isEqualTo(2);
        assertThat(segments.complete(first, "w1", "blob-old")).as("the first holder lost it").isFalse();
        assertThat(segments.complete(retaken, "w2", "blob-0")).isTrue();
        assertThat(segments.promoteStitch(job.id(), 2)).as("segment 1 is not done").isFalse();

        Segment second = segments.claim(job.id(), 1, "w1", LEASE).orElseThrow();
        assertThat(segments.release(second, "w1")).isTrue();
        second = segments.claim(job.id(), 1, "w1", LEASE).orElseThrow();
        assertThat(segments.complete(second, "w1", "blob-1")).isTrue();
        assertThat(segments.promoteStitch(job.id(), 2)).isTrue();
        assertThat(segments.promoteStitch(job.id(), 2)).as("promoted once").isFalse();
        Segment stitch = segments.claim(job.id(), 2, "w2", LEASE).orElseThrow();
        assertThat(stitch.stitchStep()).isTrue();
        assertThat(segments.ofJob(job.id())).extracting(Segment::blobId).containsExactly("blob-0", "blob-1", null);

        Optional<Job> done = jobs.complete(job.id(), SegmentRepository.OWNER, new ObjectId().toHexString(), 10, "00", "192k");
        assertThat(done).map(Job::state).contains(JobState.DONE);
        assertThat(jobs.fail(job.id(), SegmentRepository.OWNER, new JobError("x", "y"))).isEmpty();
        segments.deleteOfJob(job.id());
        assertThat(segments.ofJob(job.id())).isEmpty();
    }

    @Test
    void countingFromTheStartStopsEverySeekFromAUnitOnWhateverItsState() {
        Job job = segmentedJob(4);
        List<Segment> plan = segments.ofJob(job.id());
        // the plan's later units seek, as the splitter writes them for an MP4
        segments.replacePlan(withSeeks(plan));
        Segment done = segments.claim(job.id(), 1, "w1", LEASE).orElseThrow();
        assertThat(done.seek()).isTrue();
        assertThat(segments.complete(done, "w1", "blob-1")).isTrue();
        Segment running = segments.claim(job.id(), 2, "w2", LEASE).orElseThrow();
        assertThat(segments.ofJob(job.id()).getFirst().checkSample()).isEqualTo(100 * 1152L);

        List<Segment> requeued = segments.countFromStart(job.id(), 1);

        assertThat(requeued).singleElement().satisfies(unit -> {
            assertThat(unit.index()).isEqualTo(1);
            assertThat(unit.blobId()).as("as it was: its blob is the caller's to delete").isEqualTo("blob-1");
        });
        List<Segment> now = segments.ofJob(job.id());
        assertThat(now).extracting(Segment::seek).containsOnly(false);
        assertThat(now.get(1).state()).isEqualTo(Segment.QUEUED);
        assertThat(now.get(1).blobId()).isNull();
        assertThat(now.get(1).attempts()).as("the sought encode did not fail").isZero();
        assertThat(now.get(3).state()).as("not claimed yet: counts when it is").isEqualTo(Segment.QUEUED);
        assertThat(segments.complete(running, "w2", "blob-2")).as("a sought encode is refused").isFalse();
        Segment again = segments.find(job.id(), 2).orElseThrow();
        assertThat(again.state()).isEqualTo(Segment.CONVERTING);
        assertThat(again.leaseOwner()).as("still its holder's, to encode again counting").isEqualTo("w2");
        assertThat(segments.complete(again, "w2", "blob-2")).isTrue();
        assertThat(segments.countFromStart(job.id(), 1)).as("nothing seeks any more").isEmpty();
        assertThat(segments.find(job.id(), 2).orElseThrow().blobId()).isEqualTo("blob-2");
    }

    private static List<Segment> withSeeks(List<Segment> plan) {
        List<Segment> units = new ArrayList<>();
        for (Segment unit : plan) {
            boolean encode = !unit.stitchStep();
            boolean nextSeeks = encode && unit.index() + 1 < unit.count();
            units.add(unit.seeking(encode && unit.index() > 0, nextSeeks ? (unit.index() + 1) * 1152L * 100 : -1));
        }
        return units;
    }

    @Test
    void progressIsRecordedOnTheJobOnlyWhileItIsSegmented() {
        Job job = segmentedJob(2);
        segments.recordJobProgress(job.id(), 0.25);
        assertThat(jobs.find(job.id()).orElseThrow().progress()).isEqualTo(0.25);
        jobs.fail(job.id(), SegmentRepository.OWNER, new JobError("invalid-media", "bad"));
        segments.recordJobProgress(job.id(), 0.5);
        assertThat(jobs.find(job.id()).orElseThrow().progress()).isEqualTo(0.25);
    }

    @Test
    void untakenAndWaitingUnitsAreFoundForTheSweeper() {
        Job job = segmentedJob(2);
        clock.advance(Duration.ofMinutes(2));
        Instant now = clock.instant();
        assertThat(segments.queuedUntaken(now.minusSeconds(60), now.minusSeconds(600), 100))
                .filteredOn(unit -> unit.jobId().equals(job.id())).extracting(Segment::index).containsExactlyInAnyOrder(0, 1);
        segments.markPublished(job.id(), 0);
        assertThat(segments.queuedUntaken(now.minusSeconds(60), now.minusSeconds(600), 100))
                .filteredOn(unit -> unit.jobId().equals(job.id())).extracting(Segment::index).containsExactly(1);
        assertThat(segments.waitingStitches(now.minusSeconds(60), 100)).filteredOn(unit -> unit.jobId().equals(job.id()))
                .extracting(Segment::index).containsExactly(2);
        assertThat(segments.jobIds(now.minusSeconds(60), 100)).contains(job.id());
    }
}
