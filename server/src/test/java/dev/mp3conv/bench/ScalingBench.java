package dev.mp3conv.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.Backend;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobMetadata;
import org.bson.types.ObjectId;

/**
 * Converter scale-out, side by side in one run: the time a fixed batch of jobs (default 8 × 60 s of audio
 * in a small MP4) takes with one converter and with two, each converter an in-JVM server with only the
 * converter role and {@code converter.concurrency=1}, sharing the real RabbitMQ on 127.0.0.1 (queue names
 * unique to this run, deleted at the end) and one store (mongo-java-server's memory backend in this JVM,
 * so GridFS blobs). Rounds alternate one / two converters; the second converter is started before and
 * stopped after each two-converter round, outside the timing. Throughput is jobs per minute from the
 * first publish to the last job's {@code mp3} message (sent once the job is DONE); goal two / one ≥ 1.8 on 2 cores. Each round also runs the same batch
 * through the bare ffmpeg CLI one and two processes at a time: on a shared machine that ratio is the ceiling.
 * Usage: {@code ScalingBench <cache-dir> [jobs] [seconds of audio] [rounds]}.
 */
public final class ScalingBench {
    private static final String AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F";
    private static final int WARM_UP_BATCHES = 12;
    private static final BlockingQueue<String> ANNOUNCED = new LinkedBlockingQueue<>();

    private ScalingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/.cache"));
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String unique = "bench" + UUID.randomUUID().toString().substring(0, 8);
        MongoServer mongo = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongo.bind();
        Map<String, String> shared = Map.of(
                "app.roles", "converter",
                "converter.concurrency", "1",
                "mongodb.uri", "mongodb://127.0.0.1:" + address.getPort(),
                "amqp.uri", AMQP,
                "queue.video", unique + ".video",
                "queue.mp3", unique + ".mp3",
                "queue.dead-letter-exchange", unique + ".dlx");
        List<Path> dirs = new ArrayList<>();
        try (Mp3convServer first = converter(shared, dirs)) {
            Path input = ConvertBench.generate("/usr/bin/ffmpeg", cache.resolve("audio-" + seconds + "s-160x120.mp4"),
                    "-f", "lavfi", "-i", "testsrc=size=160x120:rate=5:duration=" + seconds, "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds, "-ac", "2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "128k", "-shortest");
            System.out.printf("batch: %d jobs of %s (%d s of audio, %d KB), converters with concurrency 1, "
                            + "%d rounds each, alternating; %d cores%n", batch, input.getFileName(), seconds,
                    Files.size(input) >> 10, rounds, Runtime.getRuntime().availableProcessors());
            Backend backend = first.backend();
            // converters announce each finished job on the mp3 topic (for the notifier): the bench waits
            // for those messages instead of polling the jobs, which took a third of this JVM's CPU
            // (JFR) from the converters it measures
            backend.queue().consume(Topic.MP3, 16, delivery -> ANNOUNCED.add(delivery.message().jobId()));
            // warm-up, untimed, to the steady state of a converter that has run for a while: JIT compilation
            // (threads ThreadMXBean does not list) is part of "the rest" below; with one warm-up batch it was
            // 0.05-0.09 CPU-s per job in the timed batches, with four 0.04-0.06, with twelve 0.03-0.04
            // (and ffmpeg's own 0.40), and a converter pays it once, not per batch
            for (int i = 0; i < WARM_UP_BATCHES; i++) {
                try (Mp3convServer second = converter(shared, dirs)) {
                    batch(backend, input, batch);
                }
            }
            double[] one = new double[rounds];
            double[] two = new double[rounds];
            double[] cliOne = new double[rounds];
            double[] cliTwo = new double[rounds];
            Path scratch = dirs.getFirst();
            for (int i = 0; i < rounds; i++) {
                one[i] = batch * 60 / batch(backend, input, batch);
                try (Mp3convServer second = converter(shared, dirs)) {
                    two[i] = batch * 60 / batch(backend, input, batch);
                }
                cliOne[i] = batch * 60 / cliBatch(input, scratch, batch, 1);
                cliTwo[i] = batch * 60 / cliBatch(input, scratch, batch, 2);
                System.out.printf("round %d: one converter %.1f jobs/min, two converters %.1f jobs/min (ratio %.2f); "
                                + "ffmpeg CLI one at a time %.1f/min, two at a time %.1f/min (ratio %.2f)%n",
                        i + 1, one[i], two[i], two[i] / one[i], cliOne[i], cliTwo[i], cliTwo[i] / cliOne[i]);
            }
            double o = ConvertBench.median(one);
            double t = ConvertBench.median(two);
            double[] ratios = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                ratios[i] = two[i] / one[i];
            }
            System.out.printf("medians: one converter %.1f jobs/min, two converters %.1f jobs/min (their ratio %.2f)%n",
                    o, t, t / o);
            // each round times one and two converters back to back, so its ratio is the side-by-side figure;
            // the ratio of the medians mixes rounds taken while the neighbours' load changed
            System.out.printf("RESULT throughput two / one converter = %.2f, median of the rounds' ratios "
                    + "(goal >= 1.8 on 2 cores)%n", ConvertBench.median(ratios));
            System.out.printf("what the machine allows now: ffmpeg CLI two at a time / one at a time = %.2f "
                    + "(medians %.1f / %.1f jobs/min)%n", ConvertBench.median(cliTwo) / ConvertBench.median(cliOne),
                    ConvertBench.median(cliTwo), ConvertBench.median(cliOne));
            System.out.printf("load average at the end: %.1f on %d cores%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            deleteTopology(unique);
            mongo.shutdownNow();
            for (Path dir : dirs) {
                UploadBench.deleteTree(dir);
            }
        }
    }

    private static Mp3convServer converter(Map<String, String> shared, List<Path> dirs) throws IOException {
        Path dir = Files.createTempDirectory("scaling-bench");
        dirs.add(dir);
        Map<String, String> config = new HashMap<>(shared);
        config.putAll(Map.of("app.data-dir", dir.toString(), "server.host", "127.0.0.1", "server.port", "0",
                "admin.host", "127.0.0.1", "admin.port", "0"));
        return Mp3convServer.start(Settings.load(Map.of(), config));
    }

    /** Stores the inputs and jobs, then times from the first publish to the last mp3 message; seconds. */
    private static double batch(Backend backend, Path input, int size) throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = new ObjectId().toHexString();
            String blob;
            try (InputStream in = Files.newInputStream(input)) {
                blob = backend.blobs().write(new BlobMetadata("bench", id, "video/mp4", "talk.mp4"), in).id();
            }
            Job job = Job.queued(id, "bench", "bench@example.com", "talk.mp4", "video/mp4", Files.size(input), "00",
                    blob, "192k", null, backend.jobs().now());
            backend.jobs().insert(job);
            jobs.add(job);
        }
        long start = System.nanoTime();
        CpuSplit before = CpuSplit.now();
        for (Job job : jobs) {
            backend.queue().publish(Topic.VIDEO, job.message());
            backend.jobs().markVideoPublished(job.id());
        }
        Set<String> waiting = new HashSet<>(jobs.stream().map(Job::id).toList());
        long deadline = start + Duration.ofMinutes(10).toNanos();
        while (!waiting.isEmpty()) {
            String finished = ANNOUNCED.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (finished == null) {
                throw new IllegalStateException("no mp3 message within 10 minutes for " + waiting);
            }
            waiting.remove(finished);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        CpuSplit used = CpuSplit.now().minus(before);
        System.out.printf("  batch of %d: %.2f s; CPU per job: ffmpeg %.3f s; in this JVM: store server %.3f s, "
                + "the rest %.3f s%n", size, elapsed, used.ffmpeg() / size, used.store() / size, used.rest() / size);
        for (Job job : jobs) {
            Job done = backend.jobs().find(job.id()).orElseThrow();
            if (done.state() != JobState.DONE) {
                throw new IllegalStateException("bench job failed: " + done.error());
            }
            backend.blobs().delete(done.mp3Fid());
            backend.blobs().delete(done.videoFid());
            backend.jobs().delete(done.id());
        }
        return elapsed;
    }

    /**
     * CPU seconds of this JVM's threads: the store server's (mongo-java-server, which stands in for a
     * MongoDB that production runs elsewhere) and all the others (converters, driver, queue client); and of
     * the ffmpeg processes it started and reaped (the kernel's count of waited-for children: on a busy machine
     * CPU per job says more than wall time does).
     */
    private record CpuSplit(double store, double rest, double ffmpeg) {
        static CpuSplit now() throws IOException {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            double store = 0;
            for (long id : threads.getAllThreadIds()) {
                ThreadInfo info = threads.getThreadInfo(id);
                long cpu = threads.getThreadCpuTime(id);
                if (info != null && cpu > 0 && info.getThreadName().startsWith("mongo-server-")) {
                    store += cpu / 1e9;
                }
            }
            double all = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
            return new CpuSplit(store, all - store, children());
        }

        /** cutime + cstime of /proc/self/stat (fields 16 and 17), in USER_HZ ticks (100 per second on Linux). */
        static double children() throws IOException {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state)
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / 100.0;
        }

        CpuSplit minus(CpuSplit earlier) {
            return new CpuSplit(store - earlier.store, rest - earlier.rest, ffmpeg - earlier.ffmpeg);
        }
    }

    /**
     * The same batch through the bare ffmpeg CLI (worker's options), {@code parallel} processes at a time:
     * the ceiling the machine's free cores set at this moment; seconds.
     */
    private static double cliBatch(Path input, Path scratch, int size, int parallel) throws Exception {
        long start = System.nanoTime();
        double children = CpuSplit.children();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<Double>> runs = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Path output = scratch.resolve("cli-" + i + ".mp3");
                runs.add(pool.submit(() -> ConvertBench.cli("/usr/bin/ffmpeg", input, output, "-c:a", "libmp3lame",
                        "-b:a", "192k")));
            }
            for (Future<Double> run : runs) {
                run.get();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("  CLI batch of %d, %d at a time: %.2f s; CPU per job: ffmpeg %.3f s%n", size, parallel,
                elapsed, (CpuSplit.children() - children) / size);
        return elapsed;
    }

    private static void deleteTopology(String unique) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(AMQP);
        try (Connection connection = factory.newConnection("mp3conv-scaling-bench-cleanup")) {
            for (String queue : List.of(unique + ".video", unique + ".mp3", unique + ".video.dlq", unique + ".mp3.dlq")) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                }
            }
            try (Channel channel = connection.createChannel()) {
                channel.exchangeDelete(unique + ".dlx");
            }
            try (Channel channel = connection.createChannel()) {
                channel.exchangeDelete(unique + ".video.job-events");
            }
        }
    }
}
