package dev.mp3conv.server.converter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.queue.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A conversion interrupted from outside: the worker is stopped (its job goes to another worker at
 * once), loses its lease (it stops and leaves no MP3), or runs past its time budget (FAILED
 * {@code timeout}). No ffmpeg process outlives its conversion.
 */
class ConverterRecoveryIT {
    private static final int LONG_SECONDS = 360;

    @TempDir
    Path dir;
    private ConverterTestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ffmpegChildren() == 0);
    }

    @Test
    void aStoppedWorkerReleasesItsJobAndAnotherCompletesItWithOneMp3() throws Exception {
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.concurrency", "1"));
        ConverterRole first = server.converter();
        ConverterRole second = ConverterRole.create(server.server().backend(), first.settings(), first.sweeperSettings());
        Path audio = MediaSamples.longAudio(Files.createDirectories(dir.resolve("samples")), LONG_SECONDS);
        String id = server.submit(audio, "320k", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.job(id).progress() > 0);
        assertThat(server.job(id).leaseOwner()).startsWith(first.workerId() + "/");

        try (second) {
            second.start();
            first.close();
            assertThat(ffmpegChildren()).as("ffmpeg of the stopped worker").isLessThanOrEqualTo(1);

            Job job = server.awaitFinished(id);
            assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
            assertThat(job.attempts()).isEqualTo(2);
            assertThat(server.mp3BlobsOf(id)).isEqualTo(1);
            assertThat(MediaSamples.probe(server.mp3File(job)).path("format").path("duration").asDouble())
                    .isCloseTo(LONG_SECONDS, within(0.1));
        }
    }

    @Test
    void aWorkerThatLosesItsLeaseStopsAndLeavesNoMp3() throws Exception {
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.concurrency", "1"));
        Path audio = MediaSamples.longAudio(Files.createDirectories(dir.resolve("samples")), LONG_SECONDS);
        String id = server.submit(audio, "320k", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.job(id).progress() > 0);
        String owner = server.job(id).leaseOwner();

        // what the sweeper does once a lease ran out: the job is free for anyone again
        assertThat(server.server().backend().jobs().release(id, owner)).isTrue();

        // the killed ffmpeg's stdout ends, so the store may keep what it wrote until the worker,
        // back from ffmpeg, sees the lost lease and deletes it
        await().atMost(Duration.ofSeconds(20)).until(() -> ffmpegChildren() == 0 && server.mp3BlobsOf(id) == 0);
        assertThat(server.job(id).state()).isEqualTo(JobState.QUEUED);

        server.server().backend().queue().publish(Topic.VIDEO, server.job(id).message());
        Job job = server.awaitFinished(id);
        assertThat(job.state()).isEqualTo(JobState.DONE);
        assertThat(server.mp3BlobsOf(id)).isEqualTo(1);
    }

    @Test
    void aSlotWhoseLeaseRanOutCannotHoldTheClaimAnotherSlotOfItsProcessMadeSince() throws Exception {
        // two slots of one process share its worker id; each claim has an owner of its own (ClaimOwner), so the
        // slot that lost the job cannot renew, complete or release the other slot's claim (renewed every second)
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.concurrency", "2",
                "converter.segment-threshold", "0", "converter.lease", "3s"));
        Path audio = MediaSamples.longAudio(Files.createDirectories(dir.resolve("samples")), LONG_SECONDS);
        String id = server.submit(audio, "320k", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.job(id).progress() > 0);
        String first = server.job(id).leaseOwner();
        String workerId = server.converter().workerId();
        assertThat(first).startsWith(workerId + "/");

        // the lease ran out (what the sweeper does) and the message came back: the process's other slot claims it
        assertThat(server.server().backend().jobs().release(id, first)).isTrue();
        server.server().backend().queue().publish(Topic.VIDEO, server.job(id).message());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.job(id).leaseOwner() != null
                && !first.equals(server.job(id).leaseOwner()));
        String second = server.job(id).leaseOwner();
        assertThat(second).as("the same process, another claim").startsWith(workerId + "/").isNotEqualTo(first);

        // the first slot's next renewal is refused: its ffmpeg stops while the second slot's converts
        await().atMost(Duration.ofSeconds(10)).until(() -> ffmpegChildren() <= 1);
        Job job = server.awaitFinished(id);
        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        assertThat(job.attempts()).isEqualTo(2);
        assertThat(server.mp3BlobsOf(id)).isEqualTo(1);
        assertThat(server.mp3Messages()).extracting(m -> m.jobId()).containsOnlyOnce(id);
    }

    @Test
    void aConversionPastItsBudgetFailsAsTimeout() throws Exception {
        // one run with one budget: 6 min of audio would otherwise go to segments, each with a budget of its own
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.timeout", "1s",
                "converter.segment-threshold", "0"));
        Path audio = MediaSamples.longAudio(Files.createDirectories(dir.resolve("samples")), LONG_SECONDS);

        Job job = server.awaitFinished(server.submit(audio, "320k", null));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.error().code()).isEqualTo("timeout");
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(server.mp3BlobsOf(job.id())).isZero();
        assertThat(server.mp3Messages()).extracting(m -> m.jobId()).contains(job.id());
    }

    private static long ffmpegChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)).count();
    }
}
