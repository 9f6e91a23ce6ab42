package dev.mp3conv.server.converter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.StorageQuota;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the converter does for retention and quotas: the MP3 it stores counts against its owner, and with
 * {@code RETAIN_VIDEOS=0} the video is deleted as soon as the MP3 is stored (not by a later sweep: the
 * sweeper runs once an hour here).
 */
class ConverterRetentionIT {
    @TempDir
    Path dir;
    private ConverterTestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void withRetainVideosZeroTheVideoIsGoneWhenTheJobIsDoneAndTheMp3IsCounted() throws Exception {
        server = new ConverterTestServer(dir.resolve("data"), Map.of("retention.videos", "0",
                "sweeper.interval", "1h"));
        Path video = MediaSamples.mp4MoovAtEnd(Files.createDirectories(dir.resolve("samples")));
        StorageQuota quota = server.server().backend().quota();
        // the gateway's part: the upload is counted before its job is queued
        quota.reserve(ConverterTestServer.OWNER, false, Files.size(video)).commit(Files.size(video));
        String id = server.submit(video, "128k", null);

        Job job = server.awaitFinished(id);
        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        // the worker deletes the video right after it completed the job (DONE is visible a moment before)
        await().atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(server.job(id).videoDeletedAt()).isNotNull());
        Job stored = server.job(id);
        assertThat(server.server().backend().blobs().info(stored.videoFid())).as("video deleted").isEmpty();
        assertThat(server.server().backend().blobs().info(stored.mp3Fid())).isPresent();
        assertThat(quota.usage(ConverterTestServer.OWNER, false).used()).isEqualTo(stored.mp3Size());
        assertThat(quota.reconcile(ConverterTestServer.OWNER, false)).isTrue();
        assertThat(quota.usage(ConverterTestServer.OWNER, false).used()).as("agrees with the jobs collection")
                .isEqualTo(stored.mp3Size());
    }
}
