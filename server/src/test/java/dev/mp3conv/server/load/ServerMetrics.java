package dev.mp3conv.server.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reads the server's JVM meters from its admin socket ({@code /observe/metrics}, Prometheus text:
 * {@code thread_count} = live platform threads, {@code memory_usedHeap_bytes}). A full GC is forced in
 * the server process with {@code jcmd <pid> GC.run} (same JDK) before reading the heap that survives.
 */
final class ServerMetrics {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;
    private final URI health;
    private final long pid;

    ServerMetrics(int adminPort, long pid) {
        this.metrics = URI.create("http://127.0.0.1:" + adminPort + "/observe/metrics");
        this.health = URI.create("http://127.0.0.1:" + adminPort + "/observe/health/ready");
        this.pid = pid;
    }

    /** Live platform threads and heap in use. */
    record Reading(int threads, long heapUsed) {
        static Reading peak(Collection<Reading> readings) {
            return new Reading(readings.stream().mapToInt(Reading::threads).max().orElse(0),
                    readings.stream().mapToLong(Reading::heapUsed).max().orElse(0));
        }

        @Override
        public String toString() {
            return String.format("threads %d, heap used %.1f MiB", threads, heapUsed / 1048576.0);
        }
    }

    boolean ready() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    Reading read() throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(metrics).header("Accept", "text/plain")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("metrics answered " + res.statusCode());
        }
        return new Reading((int) gauge(res.body(), "thread_count"), (long) gauge(res.body(), "memory_usedHeap_bytes"));
    }

    /** A reading right after a full GC in the server, so the heap figure is what is still reachable. */
    Reading afterFullGc() throws IOException, InterruptedException {
        jcmd(null, "GC.run");
        return read();
    }

    /**
     * Live platform threads by name with digits folded ({@code ForkJoinPool-1-worker-#}), from
     * {@code jcmd <pid> Thread.print}: says which pool a change in the count belongs to.
     */
    SortedMap<String, Long> threadNames(Path scratch) throws IOException, InterruptedException {
        jcmd(scratch, "Thread.print");
        return Files.readAllLines(scratch).stream()
                .filter(line -> line.startsWith("\"") && line.indexOf('"', 1) > 0)
                .map(line -> line.substring(1, line.indexOf('"', 1)).replaceAll("[0-9]+", "#"))
                .collect(Collectors.groupingBy(name -> name, TreeMap::new, Collectors.counting()));
    }

    /** Writes {@code jcmd <pid> Thread.print} to a file. */
    void threadDump(Path file) throws IOException, InterruptedException {
        jcmd(file, "Thread.print");
    }

    private void jcmd(Path output, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true)
                .redirectOutput(output == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(output.toFile()))
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed");
        }
    }

    private static double gauge(String prometheus, String name) throws IOException {
        return prometheus.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new IOException("no meter " + name + " in /observe/metrics"));
    }
}
