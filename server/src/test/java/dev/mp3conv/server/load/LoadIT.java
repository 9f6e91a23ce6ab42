package dev.mp3conv.server.load;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Load on the packaged server ({@code target/mp3conv-server}, all roles, embedded store, in-process queue) in
 * its own JVM at {@code -Xmx512m}: for {@value #LOAD_SECONDS} s, {@value #CLIENTS} clients each upload a small
 * generated video and wait for it to be DONE, half of the time by following its Server-Sent Events, half by
 * polling its status; beside them {@value #LISTERS} clients list their jobs. Every answer must be the expected
 * 2xx, every job DONE soon after the load stops, and the server's live thread count and heap after a full GC
 * (read from {@code /observe/metrics}, the GC forced with {@code jcmd}) must come back near where they started.
 */
class LoadIT {
    private static final Path LAUNCHER = Path.of("target", "mp3conv-server");
    private static final int CLIENTS = 50;
    private static final int LISTERS = 4;
    private static final int LOAD_SECONDS = 60;
    /** Upper bound on uploads, so a fast machine cannot pile up an unbounded backlog. */
    private static final int MAX_UPLOADS = 2_000;
    /** How long a client waits for its own job before counting an error. */
    private static final Duration JOB_DEADLINE = Duration.ofSeconds(60);
    /**
     * Platform threads above the warm baseline allowed once the load is over, all pools together. Two JDK pools
     * grow under load and shrink only after they idle: the virtual-thread scheduler's carriers
     * ({@code ForkJoinPool-N-worker-M}, added while virtual threads block in file I/O) and the default
     * {@code AsynchronousChannelGroup}'s cached pool ({@code InnocuousThread-N}, 60 s keep-alive), which the
     * MongoDB driver's async socket transport uses; seen 6 → 23 of the latter after one run.
     */
    private static final int THREAD_SLACK = 24;
    /** The same for every thread outside the virtual-thread scheduler: mp3conv's own pools, drivers, Helidon. */
    private static final int OWN_THREAD_SLACK = 4;
    /** Growth of the heap after a full GC allowed over the warm baseline: job documents and caches, no leak. */
    private static final long HEAP_SLACK = 48L << 20;

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void fiftyClientsForAMinuteLeaveNoErrorsNoUnfinishedJobsAndAStableServer() throws Exception {
        List<LoadClient.Sample> samples = LoadSamples.make(dir.resolve("samples"));
        int port = freePort();
        int admin = freePort();
        server = launch(port, admin);
        LoadClient anonymous = new LoadClient(port, null);
        ServerMetrics metrics = new ServerMetrics(admin, server.pid());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> metrics.ready());
        LoadClient client = anonymous.withToken(anonymous.registerAndLogIn("load@example.com", "load-test-password-1"));

        // warm up: a few jobs through every path, so lazily started pools exist before the baseline
        for (LoadClient.Sample sample : samples) {
            String id = client.upload(sample);
            client.followEvents(id, JOB_DEADLINE);
        }
        ServerMetrics.Reading baseline = metrics.afterFullGc();
        System.out.printf("LoadIT baseline: %s%n", baseline);
        Map<String, Long> baselineNames = metrics.threadNames(dir.resolve("threads.txt"));
        System.out.printf("LoadIT baseline threads by name: %s%n", baselineNames);

        Queue<String> errors = new ConcurrentLinkedQueue<>();
        Set<String> jobIds = ConcurrentHashMap.newKeySet();
        AtomicInteger uploads = new AtomicInteger();
        AtomicInteger sseFollowed = new AtomicInteger();
        AtomicInteger polled = new AtomicInteger();
        AtomicInteger listed = new AtomicInteger();
        List<ServerMetrics.Reading> duringSamples = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int clientNo = c;
                pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < end && uploads.incrementAndGet() <= MAX_UPLOADS; i++) {
                        LoadClient.Sample sample = samples.get((clientNo + i) % samples.size());
                        try {
                            String id = client.upload(sample);
                            jobIds.add(id);
                            if ((clientNo + i) % 2 == 0) {
                                client.followEvents(id, JOB_DEADLINE);
                                sseFollowed.incrementAndGet();
                            } else {
                                client.pollUntilDone(id, JOB_DEADLINE);
                                polled.incrementAndGet();
                            }
                        } catch (Exception | AssertionError e) {
                            errors.add("client " + clientNo + ": " + e);
                        }
                    }
                });
            }
            for (int l = 0; l < LISTERS; l++) {
                pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        try {
                            client.listJobs();
                            listed.incrementAndGet();
                            Thread.sleep(250); // a client's own pacing, not waiting for a condition
                        } catch (Exception | AssertionError e) {
                            errors.add("lister: " + e);
                        }
                    }
                });
            }
            // sample the server while the clients run
            while (System.nanoTime() < end) {
                try {
                    duringSamples.add(metrics.read());
                } catch (IOException e) {
                    errors.add("metrics: " + e);
                }
                Thread.sleep(5_000); // sampling period
            }
        }
        double loadSeconds = (System.nanoTime() - start) / 1e9;

        // every job the clients created is DONE (the clients waited for their own; check from the server's side)
        await().atMost(JOB_DEADLINE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(client.unfinished(jobIds)).isEmpty());
        for (String id : jobIds.stream().limit(20).toList()) {
            HttpResponse<byte[]> mp3 = client.downloadMp3(id);
            assertThat(mp3.statusCode()).as("MP3 of %s", id).isEqualTo(200);
            assertThat(mp3.body().length).as("MP3 of %s", id).isGreaterThan(1_000);
        }

        ServerMetrics.Reading peak = ServerMetrics.Reading.peak(duringSamples);
        // threads: idle pool threads time out; wait for them rather than reading once
        AtomicReference<ServerMetrics.Reading> settled = new AtomicReference<>();
        AtomicReference<Map<String, Long>> settledNames = new AtomicReference<>();
        try {
            // past the cached pool's 60 s keep-alive
            await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                settled.set(metrics.afterFullGc());
                settledNames.set(metrics.threadNames(dir.resolve("threads.txt")));
                return settled.get().threads() <= baseline.threads() + THREAD_SLACK
                        && ownThreads(settledNames.get()) <= ownThreads(baselineNames) + OWN_THREAD_SLACK;
            });
        } catch (ConditionTimeoutException e) {
            metrics.threadDump(Path.of("target", "LoadIT-threads-after.txt")); // for whoever reads the failure
        }
        ServerMetrics.Reading after = settled.get();
        System.out.printf("LoadIT: %d clients + %d listers for %.1f s: %d uploads (%d followed by SSE, %d by polling), "
                        + "%d list calls, %d errors%n", CLIENTS, LISTERS, loadSeconds, jobIds.size(), sseFollowed.get(),
                polled.get(), listed.get(), errors.size());
        System.out.printf("LoadIT during (peak of %d samples): %s%n", duringSamples.size(), peak);
        System.out.printf("LoadIT after:  %s%n", after);
        System.out.printf("LoadIT after, threads by name: %s%n", settledNames.get());
        System.out.printf("LoadIT threads outside the virtual-thread scheduler: %d -> %d (bound baseline + %d)%n",
                ownThreads(baselineNames), ownThreads(settledNames.get()), OWN_THREAD_SLACK);
        System.out.printf("LoadIT heap after full GC grew by %.1f MiB (bound %d MiB); threads %d -> peak %d -> %d "
                        + "(bound baseline + %d)%n", (after.heapUsed() - baseline.heapUsed()) / 1048576.0, HEAP_SLACK >> 20,
                baseline.threads(), peak.threads(), after.threads(), THREAD_SLACK);

        assertThat(errors).as("errors seen by clients").isEmpty();
        assertThat(jobIds).as("uploads made under load").hasSizeGreaterThan(CLIENTS);
        assertThat(after.threads()).as("live threads after the load").isLessThanOrEqualTo(baseline.threads() + THREAD_SLACK);
        assertThat(ownThreads(settledNames.get())).as("threads outside the virtual-thread scheduler after the load: %s",
                settledNames.get()).isLessThanOrEqualTo(ownThreads(baselineNames) + OWN_THREAD_SLACK);
        assertThat(after.heapUsed() - baseline.heapUsed()).as("heap growth after a full GC, bytes").isLessThan(HEAP_SLACK);
    }

    /**
     * Threads that are not the virtual-thread scheduler's carriers ({@code ForkJoinPool-N-worker-M}) or the
     * default asynchronous channel group's pool ({@code InnocuousThread-N}), see {@link #THREAD_SLACK}.
     */
    private static long ownThreads(Map<String, Long> byName) {
        return byName.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("ForkJoinPool-#-worker-") && !e.getKey().startsWith("InnocuousThread-"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    private Process launch(int port, int admin) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.equals("MONGODB_URI") || key.equals("AMQP_URI") || key.equals("APP_ROLES"));
        env.put("JAVA_HOME", System.getProperty("java.home")); // the same JDK as jcmd below
        env.put("JAVA_OPTS", "-Xmx512m -Dadmin.host=127.0.0.1");
        env.put("MP3CONV_DATA_DIR", Files.createDirectories(dir.resolve("data")).toString());
        env.put("SERVER_HOST", "127.0.0.1");
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("ADMIN_PORT", String.valueOf(admin));
        env.put("PUBLIC_URL", "http://127.0.0.1:" + port);
        return builder.start();
    }

    private static int freePort() {
        return dev.mp3conv.server.testing.FreePorts.next();
    }
}
