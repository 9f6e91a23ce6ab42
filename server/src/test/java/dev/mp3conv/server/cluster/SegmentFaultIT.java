package dev.mp3conv.server.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

/**
 * A long video converted in segments by two converter processes (one slot each, up to four
 * segments), with kill -9 of the converter holding a segment mid-encode, or holding the stitch
 * step: the job ends DONE once, with one MP3 and one notification, and a killed segment costs only
 * that segment (every other segment is encoded exactly once).
 */
class SegmentFaultIT {
    private static final Pattern ENCODED = Pattern.compile("job (\\w+) segment (\\d+)/(\\d+): encoded");

    @TempDir
    Path tmp;

    private ProcessCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = new ProcessCluster("segment-fault");
        try {
            // a Matroska upload would be converted while it arrives, in one run: these faults need its segments
            cluster.start("gateway", "gateway,auth", Map.of("UPLOAD_STREAM", "false"));
            Map<String, String> segmented = Map.of("CONVERTER_CONCURRENCY", "1", "CONVERTER_SEGMENTS", "4");
            cluster.start("converter1", "converter", segmented);
            cluster.start("converter2", "converter", segmented);
            cluster.start("notifier", "notifier", Map.of());
            cluster.awaitReady();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void converterKilledMidSegmentCostsOnlyThatSegment() throws Exception {
        byte[] video = Samples.longVideo(tmp, 900);
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("seg-kill@example.test"));
        String jobId = ClusterClient.jobOf(client.upload("lecture.mkv", video)).id();

        Document unit = await("a segment encoding").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> converting(jobId, false), found -> found != null);
        ProcessCluster.Node holder = owner(unit);
        await("ffmpeg encoding a segment under its holder").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> holder.process().descendants()
                        .anyMatch(p -> p.info().commandLine().orElse("").contains("atrim=start_sample")));
        await("the job's progress summed from its segments").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> client.job(jobId).progress() > 0);
        cluster.kill(holder);

        JobView done = awaitFinished(client, jobId);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        assertThat(done.attempts()).as("the whole job was claimed once: only the segment was retried").isEqualTo(1);
        assertThat(done.durationSeconds()).isCloseTo(900.0, org.assertj.core.data.Offset.offset(1.0));
        assertOneMp3AndOneNotification(jobId, done);

        // each segment encoded exactly once, across both converters: the killed one never finished its own
        int count = unit.getInteger("count");
        long[] encodes = new long[count];
        for (ProcessCluster.Node node : cluster.converters()) {
            Matcher m = ENCODED.matcher(node.output());
            while (m.find()) {
                if (m.group(1).equals(jobId)) {
                    encodes[Integer.parseInt(m.group(2)) - 1]++;
                }
            }
        }
        assertThat(encodes).containsOnly(1L);
        // retaken by the other converter once the killed one's lease ran out (redelivered by the broker, or
        // republished by the sweeper, whichever comes first)
        String killedSegment = "job " + jobId + " segment " + (unit.getInteger("index") + 1) + "/" + count + ": encoded";
        assertThat(otherThan(holder).output()).contains(killedSegment);
        assertThat(holder.output()).doesNotContain(killedSegment);
    }

    @Test
    void converterKilledWhileStitchingLeavesTheStitchToTheOther() throws Exception {
        byte[] video = Samples.longVideo(tmp, 1200);
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("seg-stitch@example.test"));
        String jobId = ClusterClient.jobOf(client.upload("lecture.mkv", video)).id();

        Document stitch = await("the stitch step running").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(10)).until(() -> converting(jobId, true), found -> found != null);
        ProcessCluster.Node holder = owner(stitch);
        cluster.kill(holder);
        assertThat(cluster.job(jobId).getString("state")).as("killed before the stitch completed the job")
                .isEqualTo("CONVERTING");

        JobView done = awaitFinished(client, jobId);
        assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
        await("the other converter logged the stitch").atMost(Duration.ofSeconds(10))
                .until(() -> otherThan(holder).output().contains("job " + jobId + ": DONE"));
        assertThat(holder.output()).doesNotContain("job " + jobId + ": DONE");
        assertOneMp3AndOneNotification(jobId, done);
    }

    private Document converting(String jobId, boolean stitch) {
        List<Document> units = cluster.find("segments", Filters.and(Filters.eq("job_id", jobId),
                Filters.eq("state", "CONVERTING")));
        return units.stream().filter(u -> (u.getInteger("index").equals(u.getInteger("count"))) == stitch)
                .findFirst().orElse(null);
    }

    private ProcessCluster.Node owner(Document unit) {
        String owner = unit.getString("lease_owner");
        return cluster.converters().stream().filter(node -> owner.startsWith(node.name() + "-")).findFirst()
                .orElseThrow();
    }

    private ProcessCluster.Node otherThan(ProcessCluster.Node node) {
        return cluster.converters().stream().filter(n -> n != node).findFirst().orElseThrow();
    }

    private static JobView awaitFinished(ClusterClient client, String jobId) {
        return await("job finished").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(jobId), job -> job.state() == JobState.DONE || job.state() == JobState.FAILED);
    }

    private void assertOneMp3AndOneNotification(String jobId, JobView done) {
        await("notified").atMost(Duration.ofSeconds(30))
                .until(() -> cluster.job(jobId).get("notified_at") != null && cluster.notificationLines(jobId) >= 1);
        // segment blobs, units and the killed process's half-written blobs are all cleaned up
        await("segments and orphan chunks cleaned up").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster.mp3Blobs(jobId).size() == 1
                        && cluster.count("segments", Filters.eq("job_id", jobId)) == 0 && orphanChunkFiles().isEmpty());
        assertThat(cluster.mp3Blobs(jobId).getFirst().get("_id").toString()).isEqualTo(done.mp3Fid());
        assertThat(cluster.notificationLines(jobId)).isEqualTo(1);
    }

    private List<Object> orphanChunkFiles() {
        List<Object> fileIds = cluster.find("fs.files", Filters.empty()).stream().map(d -> d.get("_id")).toList();
        return cluster.find("fs.chunks", Filters.nin("files_id", fileIds)).stream()
                .map(d -> d.get("files_id")).distinct().toList();
    }
}
