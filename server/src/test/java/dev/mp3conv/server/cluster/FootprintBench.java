package dev.mp3conv.server.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;

import static org.awaitility.Awaitility.await;

/**
 * Resident memory of the server (issue 19 point 4), side by side in one run: the launcher's memory
 * defaults against the JVM's own ergonomics (what the launcher gave before), for the embedded all-in-one
 * server and for a converter-only process on RabbitMQ and a MongoDB-wire store, each after six
 * conversions of a 30 s clip. Resident size is VmRSS of the JVM process (/proc). Run by
 * bench/footprint.sh; not part of verify.
 */
public final class FootprintBench {
    /** What the launcher left to the JVM before: G1 with a quarter of the machine's memory. */
    private static final String ERGONOMIC = "-XX:+UseG1GC -XX:MaxRAMPercentage=25 -XX:InitialRAMPercentage=1.5625 "
            + "-Xss1m -XX:ReservedCodeCacheSize=240m -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** For looking into a run: more JVM options for both modes (e.g. -XX:NativeMemoryTracking=summary). */
    private static final String EXTRA = System.getenv().getOrDefault("FOOTPRINT_EXTRA_OPTS", "");
    /** For looking into a run: only "all-in-one" or only "converter". */
    private static final String ONLY = System.getenv().getOrDefault("FOOTPRINT_ONLY", "");
    /** For looking into a run: seconds to keep each process after its figures (jcmd, /proc/PID/smaps). */
    private static final long HOLD = Long.parseLong(System.getenv().getOrDefault("FOOTPRINT_HOLD", "0"));

    private FootprintBench() {
    }

    /**
     * Runs the bench.
     *
     * @param args [rounds]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path dir = Files.createTempDirectory("mp3conv-footprint");
        byte[] clip = Samples.longVideo(dir, 30);
        List<long[]> allInOne = new ArrayList<>();
        List<long[]> converter = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (String mode : new String[] {"", ERGONOMIC}) {
                String opts = (mode + " " + EXTRA).strip();
                String label = mode.isEmpty() ? "launcher defaults" : "JVM ergonomics";
                long[] rss = ONLY.equals("converter") ? new long[3]
                        : allInOne(dir.resolve("aio-" + round + (mode.isEmpty() ? "-defaults" : "-ergonomic")), opts, clip);
                if (!ONLY.equals("converter")) {
                    System.out.printf("round %d all-in-one %s: idle %d MiB, after 6 conversions %d MiB, peak %d MiB%n",
                            round, label, rss[0], rss[1], rss[2]);
                }
                allInOne.add(rss);
                long[] conv = ONLY.equals("all-in-one") ? new long[3]
                        : converterOnly("footprint-" + round + (mode.isEmpty() ? "-d" : "-e"), opts, clip);
                if (!ONLY.equals("all-in-one")) {
                    System.out.printf("round %d converter-only %s: idle %d MiB, after 6 conversions %d MiB, peak %d MiB%n",
                            round, label, conv[0], conv[1], conv[2]);
                }
                converter.add(conv);
            }
        }
        System.out.printf("RESULT all-in-one after 6 conversions: launcher defaults %d MiB (goal <= 200), JVM ergonomics %d MiB%n",
                median(allInOne, 0), median(allInOne, 1));
        System.out.printf("RESULT converter-only after 6 conversions: launcher defaults %d MiB (goal <= 128), JVM ergonomics %d MiB%n",
                median(converter, 0), median(converter, 1));
        System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static long median(List<long[]> runs, int which) {
        List<Long> after = new ArrayList<>();
        for (int i = which; i < runs.size(); i += 2) {
            after.add(runs.get(i)[1]);
        }
        after.sort(null);
        return after.get(after.size() / 2);
    }

    private static long[] allInOne(Path data, String opts, byte[] clip) throws Exception {
        int port = ProcessCluster.freePort();
        int admin = ProcessCluster.freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of("target", "mp3conv-server").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(Map.of("SERVER_HOST", "127.0.0.1", "SERVER_PORT", String.valueOf(port),
                "ADMIN_PORT", String.valueOf(admin), "MP3CONV_DATA_DIR", data.toString(), "JAVA_OPTS", opts,
                "CONVERTER_FFMPEG", "/usr/bin/ffmpeg"));
        builder.environment().remove("AMQP_URI");
        builder.environment().remove("MONGODB_URI");
        Process process = builder.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            long pid = javaPid(process);
            long idle = rss(pid, "VmRSS");
            String token = token(base);
            convertSix(base, token, clip);
            long[] figures = {idle, rss(pid, "VmRSS"), rss(pid, "VmHWM")};
            hold(pid);
            return figures;
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long[] converterOnly(String name, String opts, byte[] clip) throws Exception {
        try (ProcessCluster cluster = new ProcessCluster(name)) {
            cluster.start("gateway", "gateway,auth,notifier", Map.of());
            ProcessCluster.Node converter = cluster.start("converter", "converter", Map.of("JAVA_OPTS", opts));
            cluster.awaitReady();
            long pid = javaPid(converter.process());
            long idle = rss(pid, "VmRSS");
            convertSix(cluster.node("gateway").uri(""), cluster.userToken("footprint@example.org"), clip);
            long[] figures = {idle, rss(pid, "VmRSS"), rss(pid, "VmHWM")};
            hold(pid);
            return figures;
        }
    }

    private static void convertSix(URI base, String token, byte[] clip) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/jobs"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", ClusterClient.CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ClusterClient.multipart("clip.mp4", clip))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 202) {
                throw new IllegalStateException("upload answered " + res.statusCode() + ": " + res.body());
            }
            ids.add(Json.mapper().readValue(res.body(), JobView.class).id());
        }
        for (String id : ids) {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JobView job = Json.mapper().readValue(HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/jobs/" + id))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body(),
                        JobView.class);
                if (job.state() == JobState.FAILED) {
                    throw new IllegalStateException("job failed: " + job.error());
                }
                return job.state() == JobState.DONE;
            });
        }
    }

    private static String token(URI base) throws IOException, InterruptedException {
        String body = "{\"email\":\"f@example.org\",\"password\":\"footprint-password\"}";
        HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/users")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        String answer = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/auth/token")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Json.mapper().readTree(answer).get("access_token").asText();
    }

    /** The launcher execs java, so the process is the JVM; a shell in between would be its parent. */
    private static void hold(long pid) throws InterruptedException {
        if (HOLD > 0) {
            System.out.printf("holding pid %d for %d s%n", pid, HOLD);
            Thread.sleep(HOLD * 1000);
        }
    }

    private static long javaPid(Process process) {
        return process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    private static long rss(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no " + field + " for process " + pid);
    }
}
