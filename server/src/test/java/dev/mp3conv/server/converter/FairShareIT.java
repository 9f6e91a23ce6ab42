package dev.mp3conv.server.converter;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.testing.MemoryMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * {@code converter.per-user}: while Alice has a dozen long jobs queued, Bob's job starts at once, and no
 * more than two ffmpeg runs of Alice's go at any moment, with free slots to spare, on one converter with the
 * in-process queue and on two converters sharing RabbitMQ and the jobs collection. Her jobs are long enough
 * to be converted in segments, so the limit is shown to hold for segments too. The runs are observed where
 * they happen: the ffmpeg processes of this JVM's converters, whose input sits in a directory named after
 * its job (a claim undone within milliseconds, or a segmented job's progress, is not an ffmpeg run).
 */
class FairShareIT {
    private static final String AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F";
    private static final int ALICE_JOBS = 12;

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private volatile boolean sampling = true;

    @AfterEach
    void closeAll() throws Exception {
        sampling = false;
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void bobsJobStartsWhileAlicesDozenWaitWithTheInProcessQueue() throws Exception {
        Mp3convServer server = start(dir.resolve("data"), Map.of("app.roles", "gateway,converter",
                "converter.concurrency", "3"));
        aliceCannotTakeEverySlot(server, server.backend().jobs());
    }

    @Test
    void bobsJobStartsWhileAlicesDozenWaitAcrossTwoConvertersOnRabbitMq() throws Exception {
        requireBroker();
        String unique = "fair" + UUID.randomUUID().toString().substring(0, 8);
        MemoryMongo mongo = MemoryMongo.start("fair");
        opened.add(mongo);
        opened.add(() -> deleteQueues(unique));
        Map<String, String> shared = Map.of("mongodb.uri", mongo.uri(), "mongodb.database", "fair",
                "amqp.uri", AMQP, "queue.video", unique + ".video", "queue.mp3", unique + ".mp3",
                "queue.dead-letter-exchange", unique + ".dlx", "converter.concurrency", "2");
        Map<String, String> first = new HashMap<>(shared);
        first.put("app.roles", "gateway,converter");
        Mp3convServer gateway = start(dir.resolve("first"), first);
        Map<String, String> second = new HashMap<>(shared);
        second.put("app.roles", "converter");
        start(dir.resolve("second"), second);
        aliceCannotTakeEverySlot(gateway, gateway.backend().jobs());
    }

    private void aliceCannotTakeEverySlot(Mp3convServer server, JobRepository jobs) throws Exception {
        MediaApi alice = new MediaApi(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        MediaApi bob = new MediaApi(server.port(), ServerWithFakeAuth.BOB_TOKEN);
        Path samples = Files.createDirectories(dir.resolve("samples"));
        // half an hour of silence each: seconds of MP3 encoding from a few hundred KB of FLAC
        Path longSilence = HostileSamples.silence(samples, "alice.flac", 1800);
        Path shortClip = HostileSamples.secret(samples);

        AtomicInteger mostAliceConverting = new AtomicInteger();
        AtomicLong aliceQueuedWhenBobStarted = new AtomicLong(-1);
        String[] bobsJob = new String[1];
        List<String> aliceJobs = new CopyOnWriteArrayList<>();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (sampling) {
                // a round trip to the jobs collection per sample: it paces the loop and frees the carrier thread
                List<Job> alices = jobs.list(ServerWithFakeAuth.ALICE.userId(), null, 100);
                mostAliceConverting.accumulateAndGet((int) ffmpegRunsOf(aliceJobs), Math::max);
                String bobId = bobsJob[0];
                if (bobId != null && aliceQueuedWhenBobStarted.get() < 0
                        && jobs.find(bobId).map(job -> job.state() != JobState.QUEUED).orElse(false)) {
                    aliceQueuedWhenBobStarted.set(alices.stream().filter(job -> job.state() != JobState.DONE).count());
                }
            }
        });
        for (int i = 0; i < ALICE_JOBS; i++) {
            aliceJobs.add(alice.upload(longSilence).id());
        }
        await("two of Alice's ffmpeg runs at once").atMost(Duration.ofSeconds(60))
                .until(() -> mostAliceConverting.get() >= 2);
        bobsJob[0] = bob.upload(shortClip).id();

        JobView bobs = bob.awaitFinished(bobsJob[0], Duration.ofSeconds(60));
        assertThat(bobs.state()).as("%s", bobs.error()).isEqualTo(JobState.DONE);
        await().atMost(Duration.ofSeconds(5)).until(() -> aliceQueuedWhenBobStarted.get() >= 0);
        assertThat(aliceQueuedWhenBobStarted.get()).as("Alice's jobs not finished when Bob's started")
                .isGreaterThanOrEqualTo(ALICE_JOBS - 2);

        // Alice's waiting jobs are not failed: they come back from the queue and convert in turn
        await("a third job of Alice's converting").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> aliceJobs.stream().map(id -> jobs.find(id).orElseThrow())
                        .filter(job -> job.state() == JobState.DONE || converting(job)).count() >= 3);
        sampling = false;
        sampler.join(Duration.ofSeconds(5));
        assertThat(mostAliceConverting.get()).as("most ffmpeg runs of Alice's at once").isEqualTo(2);
        for (String id : aliceJobs) {
            Job job = jobs.find(id).orElseThrow();
            assertThat(job.state()).as(id).isIn(JobState.QUEUED, JobState.CONVERTING, JobState.DONE);
            assertThat(job.attempts()).as("waiting for a slot does not count as an attempt").isLessThanOrEqualTo(1);
        }
    }

    private Mp3convServer start(Path dataDir, Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        config.put("converter.ffmpeg", MediaSamples.FFMPEG);
        config.put("converter.per-user", "2");
        Mp3convServer server = ServerWithFakeAuth.start(dataDir, config);
        opened.add(server);
        return server;
    }

    /**
     * How many ffmpeg processes of this JVM convert one of the given jobs now: ffmpeg reads a job's input from
     * {@code converter-tmp/<process>/<job id>-<random>/input} (a whole job and each of its segments alike).
     */
    private static long ffmpegRunsOf(List<String> jobIds) {
        return ProcessHandle.current().descendants()
                .map(process -> String.join(" ", process.info().arguments().orElse(new String[0])))
                .filter(args -> jobIds.stream().anyMatch(id -> args.contains("/" + id + "-")))
                .count();
    }

    /**
     * Whether a job is being converted: CONVERTING with progress reported (its worker renews the lease with
     * progress every 2 s while ffmpeg writes). Two converters may claim jobs of Alice's at the same moment,
     * and the claim over the limit is undone within milliseconds without starting ffmpeg: such a job shows
     * CONVERTING for that instant with no progress, and is still waiting.
     */
    private static boolean converting(Job job) {
        return job.state() == JobState.CONVERTING && job.progress() > 0;
    }

    private static void requireBroker() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 2_000);
        } catch (java.io.IOException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("no RabbitMQ on 127.0.0.1:5672: " + e.getMessage());
            }
            Assumptions.abort("no RabbitMQ on 127.0.0.1:5672 (" + e.getMessage() + ")");
        }
    }

    private static void deleteQueues(String unique) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("mp3conv-fairshare-cleanup")) {
            for (String queue : List.of(".video", ".mp3", ".video.dlq", ".mp3.dlq")) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(unique + queue);
                }
            }
            try (Channel channel = connection.createChannel()) {
                channel.exchangeDelete(unique + ".dlx");
            }
        }
    }
}
