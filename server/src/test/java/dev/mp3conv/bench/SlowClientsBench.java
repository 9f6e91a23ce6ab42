package dev.mp3conv.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slow-header clients (slowloris) against a whole mp3conv server in its own JVM ({@code -Xmx256m}, all
 * roles, embedded store): {@code clients} connections each send a request line and then one header line
 * every 5 s, never finishing. Side by side in one run: the API's latency ({@code GET
 * /.well-known/jwks.json}, sequential) before and during the flood, the server's platform threads, heap
 * and resident memory before, at the peak and after, and how the flood ended (connections cut by the
 * header timeout, or refused). The clients are bounded: they stop after {@code seconds} whatever
 * happens.
 *
 * <p>Args: {@code clients} (10000), {@code seconds} (75), {@code max-connections} (empty: the server's
 * default, half its open-file limit, at most 10000), {@code header-timeout} (30s).
 */
public final class SlowClientsBench {
    private static final byte[] LINE = "GET /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER = "X-Slow: y\r\n".getBytes(StandardCharsets.US_ASCII);

    private SlowClientsBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 75;
        String cap = args.length > 2 ? args[2] : "";
        String headerTimeout = args.length > 3 ? args[3] : "30s";
        int port = freePort();
        int admin = freePort();
        Path dataDir = Files.createTempDirectory("slow-clients");
        Path log = dataDir.resolve("server.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                "dev.mp3conv.server.Main"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MP3CONV_DATA_DIR", dataDir.toString());
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("ADMIN_PORT", String.valueOf(admin));
        builder.environment().put("SERVER_HEADER_TIMEOUT", headerTimeout);
        if (!cap.isBlank()) {
            builder.environment().put("SERVER_MAX_CONNECTIONS", cap);
        }
        Process server = builder.start();
        Meters meters = new Meters(admin, server.pid());
        try {
            meters.awaitReady();
            for (int i = 0; i < 5000; i++) {
                apiLatency(port); // warm-up: the JIT, so before and during compare like with like
            }
            List<Long> before = sample(port, 100);
            Reading idle = meters.afterFullGc();
            System.out.printf("server pid %d, %s slow clients for at most %d s, max-connections %s, header timeout %s%n",
                    server.pid(), clients, seconds, cap.isBlank() ? "default" : cap, headerTimeout);
            System.out.printf("before: API p50 %.1f ms, p95 %.1f ms; %s%n", p(before, 50), p(before, 95), idle);

            SlowClients flood = new SlowClients(port, clients, Duration.ofSeconds(seconds));
            Thread floodThread = Thread.ofPlatform().name("slow-clients").start(flood);
            List<Long> during = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger apiFailures = new AtomicInteger();
            Thread prober = Thread.ofPlatform().name("api-prober").start(() -> {
                while (!flood.done.get()) {
                    try {
                        during.add(apiLatency(port));
                    } catch (IOException | RuntimeException e) {
                        apiFailures.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Reading peak = new Reading(0, 0, 0);
            while (floodThread.isAlive()) {
                if (server.isAlive()) {
                    try {
                        Reading now = meters.read();
                        peak = new Reading(Math.max(peak.threads, now.threads), Math.max(peak.heap, now.heap),
                                Math.max(peak.rss, now.rss));
                    } catch (IOException e) {
                        // the server is failing: reported below
                    }
                }
                floodThread.join(1000);
            }
            prober.join();
            if (!server.isAlive()) {
                System.out.printf("the server died during the flood (exit %d): %s%n", server.exitValue(),
                        Files.readAllLines(log).stream().filter(l -> l.contains("OutOfMemory") || l.contains("terminating"))
                                .findFirst().orElse("see " + log));
                System.out.printf("during: %d API requests, %d failed; p50 %.1f ms, p95 %.1f ms%n",
                        during.size(), apiFailures.get(), p(during, 50), p(during, 95));
                System.out.println("RESULT server died");
                return;
            }
            Reading after = meters.afterFullGc();
            List<Long> afterwards = sample(port, 100);
            System.out.printf("flood: %d connected (%d refused) in %d ms; %d cut by the server after %.1f s on average "
                            + "(first %.1f s, last %.1f s); %d still open when the clients stopped%n",
                    flood.connected.get(), flood.refused.get(), flood.connectMillis.get(), flood.cut.get(),
                    flood.cutNanos.get() / 1e9 / Math.max(1, flood.cut.get()), flood.firstCut.get() / 1e9,
                    flood.lastCut.get() / 1e9, flood.connected.get() - flood.cut.get());
            System.out.printf("during: %d API requests, %d failed; p50 %.1f ms, p95 %.1f ms, max %.1f ms%n",
                    during.size(), apiFailures.get(), p(during, 50), p(during, 95), p(during, 100));
            System.out.printf("peak during: threads %d, heap used %.1f MiB, resident %.1f MiB%n",
                    peak.threads, peak.heap / 1048576.0, peak.rss / 1048576.0);
            System.out.printf("after: API p50 %.1f ms, p95 %.1f ms; %s; server alive %b%n",
                    p(afterwards, 50), p(afterwards, 95), after, server.isAlive());
            System.out.printf("RESULT API p50 during/before = %.2f, after/before = %.2f; heap after GC %+.1f MiB, "
                            + "threads %+d%n", p(during, 50) / p(before, 50), p(afterwards, 50) / p(before, 50),
                    (after.heap - idle.heap) / 1048576.0, after.threads - idle.threads);
        } finally {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(60)).build();

    private static long apiLatency(int port) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<Void> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json"))
                .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() != 200) {
            throw new IOException("status " + res.statusCode());
        }
        return System.nanoTime() - start;
    }

    private static List<Long> sample(int port, int n) throws IOException, InterruptedException {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            times.add(apiLatency(port));
        }
        return times;
    }

    private static double p(List<Long> nanos, int percentile) {
        List<Long> sorted;
        synchronized (nanos) {
            sorted = new ArrayList<>(nanos);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    /** Opens the connections, then trickles one header line to each every 5 s until cut or out of time. */
    private static final class SlowClients implements Runnable {
        private final int port;
        private final int clients;
        private final Duration limit;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicInteger connected = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger cut = new AtomicInteger();
        private final AtomicLong connectMillis = new AtomicLong();
        private final AtomicLong cutNanos = new AtomicLong();
        private final AtomicLong firstCut = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastCut = new AtomicLong();

        private SlowClients(int port, int clients, Duration limit) {
            this.port = port;
            this.clients = clients;
            this.limit = limit;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            List<SocketChannel> open = new ArrayList<>();
            List<Long> opened = new ArrayList<>();
            try {
                for (int i = 0; i < clients && System.nanoTime() < deadline; i++) {
                    try {
                        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                        channel.configureBlocking(false);
                        channel.write(ByteBuffer.wrap(LINE));
                        open.add(channel);
                        opened.add(System.nanoTime());
                        connected.incrementAndGet();
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                }
                connectMillis.set((System.nanoTime() - start) / 1_000_000);
                ByteBuffer probe = ByteBuffer.allocate(256);
                for (int round = 0; System.nanoTime() < deadline && cut.get() < open.size(); round++) {
                    boolean trickle = round % 10 == 0;
                    for (int i = 0; i < open.size(); i++) {
                        SocketChannel channel = open.get(i);
                        if (!channel.isOpen()) {
                            continue;
                        }
                        try {
                            probe.clear();
                            if (channel.read(probe) == -1) {
                                throw new IOException("closed by the server");
                            }
                            if (trickle) {
                                channel.write(ByteBuffer.wrap(HEADER));
                            }
                        } catch (IOException e) {
                            long after = System.nanoTime() - opened.get(i);
                            cut.incrementAndGet();
                            cutNanos.addAndGet(after);
                            firstCut.accumulateAndGet(after, Math::min);
                            lastCut.accumulateAndGet(after, Math::max);
                            close(channel);
                        }
                    }
                    // a slow client: one header line per connection every 5 s (checked every 0.5 s for cuts)
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                open.forEach(SlowClients::close);
                done.set(true);
            }
        }

        private static void close(SocketChannel channel) {
            try {
                channel.close();
            } catch (IOException e) {
                // a bench client: nothing to do
            }
        }
    }

    /** Platform threads, heap (from the admin socket) and resident memory (from /proc) of the server. */
    private record Reading(int threads, long heap, long rss) {
        @Override
        public String toString() {
            return String.format("threads %d, heap used %.1f MiB, resident %.1f MiB", threads, heap / 1048576.0, rss / 1048576.0);
        }
    }

    private static final class Meters {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final int admin;
        private final long pid;

        private Meters(int admin, long pid) {
            this.admin = admin;
            this.pid = pid;
        }

        void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health/ready"))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not up yet
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("server not ready within 120 s");
        }

        Reading read() throws IOException, InterruptedException {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/metrics"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long rss = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                    .findFirst().orElse(0L);
            return new Reading((int) gauge(body, "thread_count"), (long) gauge(body, "memory_usedHeap_bytes"), rss);
        }

        Reading afterFullGc() throws IOException, InterruptedException {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return read();
        }

        private static double gauge(String prometheus, String name) {
            return prometheus.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                    .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(Double.NaN);
        }
    }
}
