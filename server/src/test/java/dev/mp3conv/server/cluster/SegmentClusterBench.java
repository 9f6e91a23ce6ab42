package dev.mp3conv.server.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mp3conv.bench.SegmentBench;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;

/**
 * Segments across converter processes (issue 18): the packaged launcher as real processes on the
 * real RabbitMQ ({@link ProcessCluster}: a gateway+auth and N converters, one conversion slot each,
 * {@code converter.segments} = N and {@code converter.per-user} = N, at least its default 2), for N = 1 (one converter: the single run), 2 and 4, all three
 * clusters up at once; each round times upload → DONE of the same long video on each cluster, in a
 * rotating order, and the ffmpeg CLI on the same file at the same bitrate. Prints each cluster's
 * median against one converter, against the CLI, and against the CPU-bound ceiling of the machine,
 * measured in the same round: the encode cut in one piece per core, each a CLI run, all at once
 * (more converters than cores cannot beat it).
 * Usage: {@code SegmentClusterBench <cache-dir> [rounds] [seconds of input]}; needs the packaged
 * launcher (server/target/mp3conv-server) and the broker. No warm-up job: a run is a minute or more of
 * ffmpeg, next to which the JVMs' warm-up is noise.
 */
public final class SegmentClusterBench {
    private SegmentClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/.cache"));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 1200;
        int cores = Runtime.getRuntime().availableProcessors();
        Path video = SegmentBench.generate("/usr/bin/ffmpeg", cache, seconds);
        byte[] bytes = Files.readAllBytes(video);
        Map<Integer, ProcessCluster> clusters = new LinkedHashMap<>();
        Map<Integer, ClusterClient> clients = new LinkedHashMap<>();
        try {
            for (int n : new int[] {1, 2, 4}) {
                ProcessCluster cluster = new ProcessCluster("segment-bench-" + n);
                clusters.put(n, cluster);
                cluster.start("gateway", "gateway,auth", Map.of());
                for (int i = 1; i <= n; i++) {
                    // per-user = N too: with the default of 2, one user's job runs at most 2 segments at once
                    // and the others wait in the queue for a turn (about 2 s each time)
                    cluster.start("converter" + i, "converter", Map.of("CONVERTER_CONCURRENCY", "1",
                            "CONVERTER_SEGMENTS", String.valueOf(n), "CONVERTER_PER_USER", String.valueOf(Math.max(2, n))));
                }
                // one cluster at a time: ten JVMs starting at once on a busy 2-core machine miss the ready timeout
                cluster.awaitReady();
                clients.put(n, new ClusterClient(cluster.node("gateway"), cluster.userToken("bench" + n + "@example.test")));
            }
            System.out.printf("input: %s (%.1f MB, %d s of audio); clusters of 1, 2, 4 converter processes "
                    + "(1 slot each) on RabbitMQ, %d cores, %d rounds%n", video, bytes.length / 1e6, seconds, cores, rounds);
            Map<Integer, double[]> times = new LinkedHashMap<>();
            clients.keySet().forEach(n -> times.put(n, new double[rounds]));
            double[] cli = new double[rounds];
            double[] parallel = new double[rounds];
            List<Integer> order = new ArrayList<>(clients.keySet());
            for (int r = 0; r < rounds; r++) {
                cli[r] = cli(video, cache.resolve("cluster-bench-cli.mp3"));
                parallel[r] = SegmentBench.parallelCli("/usr/bin/ffmpeg", video, cache, seconds, cores);
                StringBuilder line = new StringBuilder(String.format("round %d: ffmpeg CLI %.2f s, %d CLI parts at once "
                        + "%.2f s", r + 1, cli[r], cores, parallel[r]));
                for (int n : order) {
                    times.get(n)[r] = upload(clients.get(n), bytes);
                }
                for (int n : clients.keySet()) {
                    line.append(String.format(", %d converter(s) %.2f s", n, times.get(n)[r]));
                }
                System.out.println(line.append(String.format(" (load average %.1f)", load())));
                order.add(order.removeFirst());
            }
            double c = median(cli);
            double p = median(parallel);
            double one = median(times.get(1));
            System.out.printf("medians: ffmpeg CLI %.2f s, %d CLI parts at once %.2f s (what the machine allows now: "
                    + "%.3f x the CLI), one converter %.2f s%n", c, cores, p, p / c, one);
            for (int n : clients.keySet()) {
                double t = median(times.get(n));
                double ceiling = n == 1 ? c : p;
                System.out.printf("RESULT %d converter(s): %.2f s = %.3f x one converter, %.3f x the CLI; CPU-bound "
                        + "ceiling %.2f s (%s), reached %.0f%%%n", n, t, t / one, t / c, ceiling,
                        n == 1 ? "one CLI run" : cores + " CLI parts at once, measured", 100 * ceiling / t);
            }
            System.out.printf("load average at the end: %.1f on %d cores%n", load(), cores);
        } finally {
            clusters.values().forEach(ProcessCluster::close);
        }
    }

    /**
     * Upload, then follow the job's events until DONE (as the CLI's {@code --wait} does; {@code -Dbench.follow=poll}
     * polls every 20 ms instead, as before 2026-12-01 14:40); seconds from the first byte sent.
     */
    private static double upload(ClusterClient client, byte[] bytes) throws IOException, InterruptedException {
        long start = System.nanoTime();
        var accepted = client.upload("lecture.mp4", bytes);
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("upload: " + accepted.statusCode() + " " + accepted.body());
        }
        String id = ClusterClient.jobOf(accepted).id();
        if (!"poll".equals(System.getProperty("bench.follow"))) {
            String end = client.awaitEnd(id, Duration.ofMinutes(15));
            if (!end.equals("DONE")) {
                throw new IllegalStateException("bench job " + id + " ended " + client.job(id));
            }
            return (System.nanoTime() - start) / 1e9;
        }
        long deadline = start + Duration.ofMinutes(15).toNanos();
        while (true) {
            JobView job = client.job(id);
            if (job.state() == JobState.DONE) {
                return (System.nanoTime() - start) / 1e9;
            }
            if (job.state() == JobState.FAILED || System.nanoTime() > deadline) {
                throw new IllegalStateException("bench job " + id + " ended " + job);
            }
            Thread.sleep(20); // the client's polling period
        }
    }

    private static double cli(Path input, Path output) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder("/usr/bin/ffmpeg", "-v", "error", "-nostdin", "-y", "-i", input.toString(),
                "-map", "0:a:0", "-vn", "-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3", output.toString())
                .inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException("ffmpeg CLI failed");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(output);
        return seconds;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
