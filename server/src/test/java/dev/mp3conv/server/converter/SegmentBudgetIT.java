package dev.mp3conv.server.converter;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.Backend;
import dev.mp3conv.server.Role;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.testing.MutableClock;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job converted in segments has one time budget ({@code converter.timeout}, else 5 min plus its
 * duration), counted from the claim of the whole job: every unit (encodes and the stitch) gets what is
 * left of it, never a budget of its own. The store's clock is moved past the budget once the job is
 * split, so a unit claimed afterwards fails the job as {@code timeout}; with a budget per unit it would
 * convert.
 */
class SegmentBudgetIT {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.ticking();
    private final List<JobMessage> mp3Messages = new CopyOnWriteArrayList<>();
    private Backend backend;
    private ConverterRole converter;
    private JobQueue.Consumer mp3Consumer;

    @BeforeEach
    void start() {
        // one slot, so the second segment is claimed only after the first has run
        io.helidon.config.Config config = Settings.load(Map.of(), Map.of("app.data-dir", dir.resolve("data").toString(),
                "app.roles", "converter", "converter.concurrency", "1", "converter.segments", "2",
                "converter.segment-threshold", "20s", "converter.timeout", "1h"));
        backend = Backend.open(config, Set.of(Role.CONVERTER), clock);
        mp3Consumer = backend.queue().consume(Topic.MP3, 1, d -> mp3Messages.add(d.message()));
        converter = ConverterRole.create(backend, ConverterSettings.from(config.get("converter"),
                dev.mp3conv.server.queue.QueueSettings.from(config.get("queue")).deliveryLimit()),
                dev.mp3conv.server.jobs.SweeperSettings.from(config.get("sweeper")));
        converter.start();
    }

    @AfterEach
    void stop() {
        converter.close();
        mp3Consumer.close();
        backend.close();
    }

    @Test
    void aSegmentClaimedAfterTheJobsBudgetRanOutFailsTheJobAsTimeout() throws Exception {
        Path source = SegmentAudio.source(Files.createDirectories(dir.resolve("samples")), 60, 44100, true);
        String id = submit(source);
        SegmentRepository segments = new SegmentRepository(backend.mongo(), backend.clock());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> segments.ofJob(id).size() == 3);
        Instant split = backend.clock().instant();
        // the whole job's budget, given to every unit as one deadline
        List<Segment> units = segments.ofJob(id);
        assertThat(units).extracting(Segment::deadline).doesNotContainNull().containsOnly(units.getFirst().deadline());
        assertThat(units.getFirst().deadline()).isBetween(split.plus(Duration.ofMinutes(59)), split.plus(Duration.ofHours(1)));
        // the segment left to the queue cannot have been claimed yet: the one slot encodes (or is about to) the
        // dearest, the last, which it kept at the split
        assertThat(units.get(0).state()).isEqualTo(Segment.QUEUED);

        clock.advance(Duration.ofHours(2));

        await().atMost(Duration.ofSeconds(90)).until(() -> backend.jobs().find(id).orElseThrow().state().terminal());
        Job failed = backend.jobs().find(id).orElseThrow();
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("timeout");
        assertThat(failed.error().message()).contains("budget of 3600 s");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(segments.ofJob(id)).as("units left").isEmpty();
            assertThat(mp3Messages).extracting(JobMessage::jobId).containsOnlyOnce(id);
        });
        assertThat(failed.mp3Fid()).isNull();
        try (java.util.stream.Stream<Path> files = Files.walk(backend.dataDir().resolve("blobs"))) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".json")).filter(p -> {
                try {
                    String sidecar = Files.readString(p);
                    return sidecar.contains(id) && sidecar.contains("audio/mpeg");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).as("segment blobs left").isEmpty();
        }
    }

    /** Stores a video and queues its job, as the gateway does. */
    private String submit(Path video) throws Exception {
        String jobId = new ObjectId().toHexString();
        BlobInfo blob;
        try (InputStream in = Files.newInputStream(video)) {
            blob = backend.blobs().write(new BlobMetadata(ConverterTestServer.OWNER, jobId, "video/mp4",
                    video.getFileName().toString()), in);
        }
        Job job = Job.queued(jobId, ConverterTestServer.OWNER, "user@example.com", video.getFileName().toString(),
                "video/mp4", blob.length(), "0".repeat(64), blob.id(), "320k", null, backend.jobs().now());
        backend.jobs().insert(job);
        backend.queue().publish(Topic.VIDEO, job.message());
        return jobId;
    }
}
