package dev.mp3conv.server.cluster;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Bad inputs mixed into good ones: each bad one FAILED with its reason, the good ones DONE, no converter restarts. */
class PoisonInputFaultIT {
    @TempDir
    Path tmp;

    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ProcessCluster.standard("poison-input");
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void poisonInputsFailWithReasonsWhileGoodOnesConvertOnTheSameConverterProcesses() throws Exception {
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("poison@example.test"));
        List<Long> pidsBefore = cluster.converters().stream().map(ProcessCluster.Node::pid).toList();
        byte[] good = Samples.smallVideo(tmp, 3);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("random.mp4", Samples.randomBytes(42));
        bad.put("video-only.mp4", Samples.videoOnly(tmp));
        bad.put("truncated.mp4", Samples.truncated(tmp));
        Map<String, String> expectedCodes = Map.of("random.mp4", "invalid-media", "video-only.mp4", "no-audio",
                "truncated.mp4", "invalid-media");
        // an empty file never becomes a job: the gateway refuses it
        HttpResponse<String> empty = client.upload("empty.mp4", new byte[0]);
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);

        Map<String, String> goodJobs = new LinkedHashMap<>();
        Map<String, String> badJobs = new LinkedHashMap<>();
        int n = 0;
        for (var entry : bad.entrySet()) {
            for (int i = 0; i < 2; i++) {
                goodJobs.put(submit(client, "good-" + n++ + ".mp4", good), "good");
            }
            HttpResponse<String> res = client.upload(entry.getKey(), entry.getValue());
            assertThat(res.statusCode()).as("%s: %s", entry.getKey(), res.body()).isEqualTo(202);
            badJobs.put(ClusterClient.jobOf(res).id(), entry.getKey());
        }
        goodJobs.put(submit(client, "good-last.mp4", good), "good");

        await("every job finished").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String id : concat(goodJobs, badJobs)) {
                        JobState state = client.job(id).state();
                        if (state != JobState.DONE && state != JobState.FAILED) {
                            return false;
                        }
                    }
                    return true;
                });
        for (String id : goodJobs.keySet()) {
            JobView job = client.job(id);
            assertThat(job.state()).as("good job %s: %s", id, job.error()).isEqualTo(JobState.DONE);
            assertThat(cluster.mp3Blobs(id)).hasSize(1);
        }
        for (var entry : badJobs.entrySet()) {
            JobView job = client.job(entry.getKey());
            assertThat(job.state()).as(entry.getValue()).isEqualTo(JobState.FAILED);
            assertThat(job.error()).as(entry.getValue()).isNotNull();
            assertThat(job.error().code()).as(entry.getValue()).isEqualTo(expectedCodes.get(entry.getValue()));
            assertThat(job.error().message()).as(entry.getValue()).isNotBlank();
            assertThat(cluster.mp3Blobs(entry.getKey())).as(entry.getValue()).isEmpty();
        }
        assertThat(cluster.converters()).allSatisfy(node -> {
            assertThat(node.process().isAlive()).as(node.name() + " alive").isTrue();
            assertThat(cluster.ready(node)).as(node.name() + " ready").isTrue();
        });
        assertThat(cluster.converters().stream().map(ProcessCluster.Node::pid).toList()).isEqualTo(pidsBefore);
        // no consumer was cancelled and restarted either: each converter logs its consume start once
        assertThat(cluster.converters()).allSatisfy(node ->
                assertThat(node.output()).doesNotContain("Exception in thread", "the broker cancelled the consumer"));
    }

    private static String submit(ClusterClient client, String name, byte[] content) throws Exception {
        HttpResponse<String> res = client.upload(name, content);
        assertThat(res.statusCode()).as("%s: %s", name, res.body()).isEqualTo(202);
        return ClusterClient.jobOf(res).id();
    }

    private static List<String> concat(Map<String, String> a, Map<String, String> b) {
        return java.util.stream.Stream.concat(a.keySet().stream(), b.keySet().stream()).toList();
    }
}
