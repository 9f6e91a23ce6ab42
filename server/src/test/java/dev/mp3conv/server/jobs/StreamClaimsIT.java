package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The claims of conversions that read an upload while it arrives: decided once, claimed by one worker while
 * UPLOADING, renewed with the conversion's progress apart from the upload's, counted by the per-user limit,
 * handed over as CONVERTING by the last byte while the claim lives, and as QUEUED (converted after the upload)
 * when it ran out or was given up.
 */
class StreamClaimsIT {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final JobStreaming STREAM = new JobStreaming(JobStreaming.STREAMING, "matroska", "read front to back",
            null);
    private static MemoryMongo mongo;
    private MutableClock clock;
    private StreamClaims claims;
    private UploadRepository uploads;
    private JobRepository jobs;

    @BeforeAll
    static void startMongo() {
        mongo = MemoryMongo.start("stream-claims-it");
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        claims = new StreamClaims(mongo.mongo(), clock, new JobChanges());
        uploads = new UploadRepository(mongo.mongo(), clock);
        jobs = new JobRepository(mongo.mongo(), clock);
    }

    private String upload(String owner) {
        Job job = Job.uploading(new ObjectId().toHexString(), owner, owner + "@example.com", "a.mkv", "video/x-matroska",
                100, "f" + new ObjectId(), null, null, null, clock.instant());
        uploads.insert(job, 100, clock.instant().plus(Duration.ofHours(1)));
        return job.id();
    }

    @Test
    void aStreamingChoiceIsRecordedOnceAndClaimedByOneWorkerWithItsOwnProgress() {
        String owner = "u" + new ObjectId();
        String id = upload(owner);
        assertThat(claims.claim(id, "w1", LEASE)).as("not chosen yet").isEmpty();
        assertThat(claims.decide(id, STREAM).orElseThrow().streaming()).isEqualTo(STREAM);
        assertThat(claims.decide(id, new JobStreaming(JobStreaming.AFTER_UPLOAD, "x", "y", null))).as("once").isEmpty();

        Job claimed = claims.claim(id, "w1", LEASE).orElseThrow();
        assertThat(claimed.state()).isEqualTo(JobState.UPLOADING);
        assertThat(claimed.leaseOwner()).isEqualTo("w1");
        assertThat(claimed.streaming().conversionProgress()).isEqualTo(0.0);
        assertThat(claims.claim(id, "w2", LEASE)).as("held").isEmpty();
        assertThat(jobs.liveLeases(owner, "")).as("counted by converter.per-user").isEqualTo(1);

        assertThat(claims.renew(id, "w1", LEASE, 0.4)).isTrue();
        assertThat(claims.renew(id, "w2", LEASE, 0.9)).isFalse();
        Job renewed = claims.find(id).orElseThrow();
        assertThat(renewed.streaming().conversionProgress()).isEqualTo(0.4);
        assertThat(renewed.progress()).as("the upload's progress is apart").isEqualTo(0.0);

        clock.advance(LEASE.plusSeconds(1));
        assertThat(jobs.liveLeases(owner, "")).isZero();
        assertThat(claims.claim(id, "w2", LEASE)).as("an expired claim is taken over").isPresent();
    }

    @Test
    void theLastByteHandsALiveClaimOverAsConvertingAndOtherwiseQueuesTheJob() {
        String streamed = upload("u1");
        claims.decide(streamed, STREAM);
        claims.claim(streamed, "w1", LEASE).orElseThrow();
        uploads.lock(streamed, "u1", "t", LEASE).orElseThrow();
        Job converting = uploads.finish(streamed, "t", "blob", 100, "ab").orElseThrow();
        assertThat(converting.state()).isEqualTo(JobState.CONVERTING);
        assertThat(converting.leaseOwner()).isEqualTo("w1");
        assertThat(jobs.renew(streamed, "w1", LEASE, 0.5)).as("the usual lease from here on").isTrue();
        assertThat(claims.renew(streamed, "w1", LEASE, 0.5)).isFalse();

        String expired = upload("u1");
        claims.decide(expired, STREAM);
        claims.claim(expired, "w1", LEASE).orElseThrow();
        clock.advance(LEASE.plusSeconds(1));
        uploads.lock(expired, "u1", "t", LEASE).orElseThrow();
        Job queued = uploads.finish(expired, "t", "blob", 100, "ab").orElseThrow();
        assertThat(queued.state()).isEqualTo(JobState.QUEUED);
        assertThat(queued.leaseOwner()).isNull();
        assertThat(queued.streaming().mode()).isEqualTo(JobStreaming.AFTER_UPLOAD);
        assertThat(queued.streaming().reason()).isEqualTo("no converter was reading the upload when its last byte arrived");
    }

    @Test
    void givingUpFreesTheClaimAndTheJobConvertsAfterTheUpload() {
        String id = upload("u2");
        claims.decide(id, STREAM);
        claims.claim(id, "w1", LEASE).orElseThrow();
        assertThat(claims.abandon(id, "w2", "x")).as("only the holder").isFalse();
        assertThat(claims.abandon(id, "w1", "the upload paused for more than 30 s")).isTrue();
        Job given = claims.find(id).orElseThrow();
        assertThat(given.leaseOwner()).isNull();
        assertThat(given.attempts()).as("the attempt is given back").isZero();
        assertThat(given.streaming()).isEqualTo(new JobStreaming(JobStreaming.AFTER_UPLOAD, "matroska",
                "the upload paused for more than 30 s", null));
        assertThat(claims.claim(id, "w1", LEASE)).as("no longer streamable").isEmpty();
        uploads.lock(id, "u2", "t", LEASE).orElseThrow();
        assertThat(uploads.finish(id, "t", "blob", 100, "ab").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aStreamingChoiceMadeAfterTheLastByteIsRecordedAsAfterTheUpload() {
        String id = upload("u3");
        uploads.lock(id, "u3", "t", LEASE).orElseThrow();
        uploads.finish(id, "t", "blob", 100, "ab").orElseThrow();
        assertThat(claims.decide(id, STREAM).orElseThrow().streaming()).isEqualTo(new JobStreaming(
                JobStreaming.AFTER_UPLOAD, "matroska", "every byte arrived before a converter could start", null));
    }
}
