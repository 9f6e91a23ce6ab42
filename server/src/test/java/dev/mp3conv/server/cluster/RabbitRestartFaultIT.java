package dev.mp3conv.server.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.model.Filters;
import dev.mp3conv.model.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RabbitMQ restarts ({@code rabbitmqctl stop_app}, {@code start_app}) while 20 uploads are in flight:
 * every upload answered 2xx ends DONE, none lost, none converted twice.
 *
 * <p>This stops the one shared broker, so it holds {@code /tmp/mp3conv-rabbit.lock} (the {@code flock(1)} lock the
 * broker benches run under, {@code bench/scaling.sh}, {@code bench/segments.sh}) from before its cluster starts until
 * the broker is up again: it waits for a bench that holds it, and no bench starts while the broker is down.
 */
class RabbitRestartFaultIT {
    private static final int UPLOADS = 20;

    @TempDir
    Path tmp;

    private ProcessCluster cluster;
    private BrokerLock lock;

    @BeforeEach
    void startCluster() throws Exception {
        lock = new BrokerLock();
        cluster = ProcessCluster.standard("rabbit-restart");
    }

    @AfterEach
    void stopCluster() throws Exception {
        try {
            startBroker();
        } finally {
            try {
                if (cluster != null) {
                    cluster.close();
                }
            } finally {
                lock.close();
            }
        }
    }

    /**
     * Holds {@code /tmp/mp3conv-rabbit.lock} while open: a {@code flock} child that takes it (waiting up to 20 minutes
     * for a holder) and keeps it until its standard input closes. A Java {@code FileLock} would not do: it is an
     * {@code fcntl} lock, which Linux keeps apart from {@code flock(1)}'s.
     */
    private static final class BrokerLock implements AutoCloseable {
        private final Process holder;

        BrokerLock() throws IOException {
            holder = new ProcessBuilder("flock", "-w", "1200", "/tmp/mp3conv-rabbit.lock",
                    "sh", "-c", "echo locked; exec cat >/dev/null").redirectErrorStream(true).start();
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
            if (!"locked".equals(line)) {
                holder.destroyForcibly();
                throw new IOException("could not take /tmp/mp3conv-rabbit.lock: " + line);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }

    @Test
    void everyAcceptedUploadEndsDoneExactlyOnceAcrossABrokerRestart() throws Exception {
        ClusterClient client = new ClusterClient(cluster.node("gateway"), cluster.userToken("rabbit@example.test"));
        byte[] video = Samples.smallVideo(tmp, 2);
        List<ClusterClient.RawUpload> inFlight = new ArrayList<>();
        List<CompletableFuture<ClusterClient.Answer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < UPLOADS; i++) {
                inFlight.add(client.startUpload("clip-" + i + ".mp4", video));
            }
            rabbitmqctl("stop_app");
            await("the broker's port closed").atMost(Duration.ofSeconds(30))
                    .until(() -> !ProcessCluster.brokerListening());
            // half the uploads end while the broker is down, half while it starts again
            for (int i = 0; i < UPLOADS / 2; i++) {
                answers.add(finish(inFlight.get(i)));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> rabbitmqctlUnchecked("start_app"));
            for (int i = UPLOADS / 2; i < UPLOADS; i++) {
                answers.add(finish(inFlight.get(i)));
            }
            restart.get(90, TimeUnit.SECONDS);
        } finally {
            startBroker();
        }

        List<String> accepted = new ArrayList<>();
        for (CompletableFuture<ClusterClient.Answer> future : answers) {
            ClusterClient.Answer answer = future.get(60, TimeUnit.SECONDS);
            if (answer.status() / 100 == 2) {
                accepted.add(answer.job().id());
            } else {
                assertThat(answer.status()).as(answer.body()).isEqualTo(503);
            }
        }
        assertThat(accepted).as("uploads accepted").isNotEmpty();
        cluster.awaitReady();

        await("every accepted upload DONE").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.count("jobs", Filters.and(Filters.in("_id", objectIds(accepted)),
                        Filters.eq("state", "DONE"))) == accepted.size());
        for (String id : accepted) {
            assertThat(client.job(id).state()).isEqualTo(JobState.DONE);
            assertThat(cluster.mp3Blobs(id)).as("MP3s of job %s", id).hasSize(1);
        }
        assertThat(cluster.count("jobs", Filters.empty())).as("no job without an accepted upload").isEqualTo(accepted.size());
        await("every job notified").atMost(Duration.ofSeconds(60))
                .until(() -> cluster.count("jobs", Filters.exists("notified_at")) == accepted.size());
        for (String id : accepted) {
            assertThat(cluster.notificationLines(id)).as("notifications of job %s", id).isEqualTo(1);
        }
    }

    private static List<org.bson.types.ObjectId> objectIds(List<String> ids) {
        return ids.stream().map(org.bson.types.ObjectId::new).toList();
    }

    private static final java.util.concurrent.ExecutorService FINISHERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private static CompletableFuture<ClusterClient.Answer> finish(ClusterClient.RawUpload upload) {
        // a thread each: finishing blocks on the answer
        return CompletableFuture.supplyAsync(() -> {
            try {
                return upload.finish();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, FINISHERS);
    }

    private static void rabbitmqctlUnchecked(String command) {
        try {
            rabbitmqctl(command);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** start_app is idempotent; always leave the shared broker running. */
    private static void startBroker() throws IOException, InterruptedException {
        if (!ProcessCluster.brokerListening()) {
            rabbitmqctl("start_app");
        }
        await("the broker's port open").atMost(Duration.ofSeconds(60)).until(ProcessCluster::brokerListening);
    }

    private static void rabbitmqctl(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("rabbitmqctl", command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("rabbitmqctl " + command + " failed: " + out);
        }
    }
}
