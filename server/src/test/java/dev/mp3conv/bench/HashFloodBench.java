package dev.mp3conv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;

/**
 * Admin health latency while clients register and log in as fast as they can (issue 14): the same
 * server (auth role, embedded store) once with the argon2id pool as configured by default (one thread per
 * core, 2 s wait) and once with the pool off ({@code auth.hashing.threads=0}: hashes on the request's
 * virtual thread, as before the pool), alternating, a bounded number of rounds. Each phase: {@code clients}
 * platform threads, half registering new accounts and half logging in to existing ones, for
 * {@code seconds}; one prober GETs {@code /observe/health} on the admin socket every 100 ms and records
 * its latency. Prints p50/p95/max of the probe per phase, what the clients got, and the median p95s.
 *
 * <pre>bench/hash-flood.sh [clients] [seconds] [rounds]</pre>
 */
public final class HashFloodBench {
    private static final String PASSWORD = "hash flood password";
    private static final Duration PROBE_EVERY = Duration.ofMillis(100);

    private HashFloodBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 48;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.printf("hash-flood: %d clients (half register, half log in) for %d s per phase, %d rounds, %d cores%n",
                clients, seconds, rounds, Runtime.getRuntime().availableProcessors());
        double[] pooled = new double[rounds];
        double[] unpooled = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // alternate who goes first, so a drifting machine load does not favour one side
            boolean poolFirst = r % 2 == 0;
            for (boolean pool : poolFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                double p95 = phase(r + 1, pool, clients, seconds);
                (pool ? pooled : unpooled)[r] = p95;
            }
        }
        double with = median(pooled);
        double without = median(unpooled);
        System.out.printf("RESULT health p95 with the pool %.3f s, without %.3f s (without / with = %.1f; goal: with < 1 s)%n",
                with, without, without / with);
    }

    private static double phase(int round, boolean pool, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("hash-flood-bench");
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "app.data-dir", dir.toString(), "app.roles", "auth",
                "server.host", "127.0.0.1", "server.port", "0", "admin.host", "127.0.0.1", "admin.port", "0",
                "auth.registration.max-per-address", "100000000"));
        if (!pool) {
            config.put("auth.hashing.threads", "0");
        }
        try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), config))) {
            URI api = URI.create("http://127.0.0.1:" + server.port());
            URI health = URI.create("http://127.0.0.1:" + server.adminPort() + "/observe/health");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String email = "login-" + i + "-" + UUID.randomUUID() + "@example.com";
                send(client, api.resolve("/api/v1/users"), email);
                accounts.add(email);
            }
            // warm-up: JIT of the hashing and HTTP paths, off the clock
            for (int i = 0; i < 10; i++) {
                send(client, api.resolve("/api/v1/auth/token"), accounts.get(i % accounts.size()));
                probe(client, health);
            }

            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong failures = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                boolean registers = c % 2 == 0;
                String account = accounts.get(c % accounts.size());
                Thread t = Thread.ofPlatform().name("flood-" + c).start(() -> {
                    while (System.nanoTime() < deadline) {
                        try {
                            int status = registers
                                    ? send(client, api.resolve("/api/v1/users"), "new-" + UUID.randomUUID() + "@example.com")
                                    : send(client, api.resolve("/api/v1/auth/token"), account);
                            statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    }
                });
                threads.add(t);
            }
            List<Double> latencies = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                long start = System.nanoTime();
                probe(client, health);
                latencies.add((System.nanoTime() - start) / 1e9);
                long rest = PROBE_EVERY.toNanos() - (System.nanoTime() - start);
                if (rest > 0) {
                    Thread.sleep(Duration.ofNanos(rest)); // the probe's pace, like a kubelet's period
                }
            }
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60));
            }
            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double p95 = percentile(sorted, 0.95);
            System.out.printf("round %d %-12s health probes %4d: p50 %.3f s, p95 %.3f s, max %.3f s; clients got %s%s%n",
                    round, pool ? "with pool" : "without pool", sorted.length, percentile(sorted, 0.5), p95,
                    sorted[sorted.length - 1], new TreeMap<>(statuses),
                    failures.get() == 0 ? "" : ", " + failures.get() + " I/O failures");
            return p95;
        }
    }

    private static int send(HttpClient client, URI uri, String email) throws Exception {
        byte[] body = Json.mapper().writeValueAsBytes(Map.of("email", email, "password", PASSWORD));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void probe(HttpClient client, URI health) throws Exception {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("health answered " + response.statusCode());
        }
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
