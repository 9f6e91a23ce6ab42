package dev.mp3conv.server.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.mongodb.client.model.Filters;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** kill -9 of the converter holding a job mid-conversion: the other converter finishes it, once. */
class ConverterKillFaultIT {
    @TempDir
    Path tmp;

    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ProcessCluster.standard("converter-kill");
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void jobOfAKilledConverterCompletesOnTheOtherOneWithOneMp3AndOneNotification() throws Exception {
        // 15 minutes of audio: several seconds of MP3 encoding, a 64x48 picture keeps the upload small
        byte[] video = Samples.longVideo(tmp, 900);
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("kill@example.test"));

        var accepted = client.upload("long.mkv", video);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = ClusterClient.jobOf(accepted).id();

        // the worker id is "<HOSTNAME>-<random>", and each converter's HOSTNAME is its node name
        Document converting = await("job converting with progress").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.job(jobId), job -> "CONVERTING".equals(job.getString("state"))
                        && job.getString("lease_owner") != null);
        String owner = converting.getString("lease_owner");
        ProcessCluster.Node holder = cluster.converters().stream()
                .filter(node -> owner.startsWith(node.name() + "-")).findFirst().orElseThrow();
        ProcessCluster.Node other = cluster.converters().stream().filter(node -> node != holder).findFirst().orElseThrow();
        await("ffmpeg encoding under the converter holding the lease").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> holder.process().descendants()
                        .anyMatch(p -> p.info().commandLine().orElse("").contains("libmp3lame")));

        cluster.kill(holder);

        JobView done = await("job done after the kill").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(jobId), job -> job.state() == JobState.DONE || job.state() == JobState.FAILED);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(other.output()).contains("job " + jobId + ": DONE");
        assertThat(holder.output()).doesNotContain("job " + jobId + ": DONE");
        assertThat(done.attempts()).isEqualTo(2);

        List<Document> mp3s = cluster.mp3Blobs(jobId);
        assertThat(mp3s).hasSize(1);
        assertThat(mp3s.getFirst().get("_id")).isEqualTo(done.mp3Fid());

        await("notified").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.job(jobId).get("notified_at") != null && cluster.notificationLines(jobId) >= 1);
        // the killed converter's half-written MP3 must not stay behind as chunks without a file
        await("no orphan chunks").atMost(Duration.ofSeconds(30)).until(() -> orphanChunkFiles().isEmpty());
        assertThat(cluster.notificationLines(jobId)).isEqualTo(1);
        assertThat(cluster.mp3Blobs(jobId)).hasSize(1);
    }

    private List<Object> orphanChunkFiles() {
        List<Object> fileIds = cluster.find("fs.files", Filters.empty()).stream().map(d -> d.get("_id")).toList();
        return cluster.find("fs.chunks", Filters.nin("files_id", fileIds)).stream()
                .map(d -> d.get("files_id")).distinct().toList();
    }
}
