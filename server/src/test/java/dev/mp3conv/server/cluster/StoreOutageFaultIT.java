package dev.mp3conv.server.cluster;

import java.nio.file.Path;
import java.time.Duration;

import com.mongodb.client.model.Filters;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The store goes away mid-upload: the client gets a 503, nothing is left behind, and the service recovers. */
class StoreOutageFaultIT {
    private static final int CHUNK = 1024 * 1024;

    @TempDir
    Path tmp;

    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ProcessCluster.standard("store-outage");
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void uploadDuringAStoreOutageAnswers503AndLeavesNothingBehindThenTheServiceRecovers() throws Exception {
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("outage@example.test"));
        assertThat(cluster.count("jobs", Filters.empty())).isZero();

        // 3 MiB reach the store (3 chunks), then the store stops, then the last 256 KiB are sent: small
        // enough to sit in the socket buffers while the gateway waits for the store
        byte[] content = new byte[3 * CHUNK + 1000 + 256 * 1024];
        ClusterClient.RawUpload upload = client.startUpload("outage.mp4", content, 3 * CHUNK + 1000);
        await("first chunks stored").atMost(Duration.ofSeconds(20))
                .until(() -> cluster.count("fs.chunks", Filters.empty()) >= 3);
        cluster.stopStore();
        ClusterClient.Answer answer = upload.finish();
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.headers()).contains("content-type: application/problem+json");
        assertThat(answer.body()).contains("\"status\":503");

        cluster.startStore();
        cluster.awaitReady();
        assertThat(cluster.count("jobs", Filters.empty())).as("jobs").isZero();
        assertThat(cluster.count("fs.files", Filters.empty())).as("blob files").isZero();
        await("the failed write's chunks deleted").atMost(Duration.ofSeconds(60))
                .until(() -> cluster.count("fs.chunks", Filters.empty()), count -> count == 0);

        var again = client.upload("after.mp4", Samples.smallVideo(tmp, 3));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        String jobId = ClusterClient.jobOf(again).id();
        JobView done = await("new upload converted").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(jobId), job -> job.state() == JobState.DONE || job.state() == JobState.FAILED);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(cluster.mp3Blobs(jobId)).hasSize(1);
        assertThat(cluster.count("jobs", Filters.empty())).isEqualTo(1);
    }
}
