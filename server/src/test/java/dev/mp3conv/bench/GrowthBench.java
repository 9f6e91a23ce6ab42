package dev.mp3conv.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Cost that grows with the data (issue 19 point 5): the real all-roles server ({@code target/mp3conv-server}
 * with its launcher's memory defaults, embedded store, fresh data directory) while jobs are inserted straight
 * into its embedded MongoDB-wire store through the MongoDB driver (found on its loopback listener), spread over
 * four users with one holding 90 %. At 1k, 10k and 30k jobs it times {@code GET /api/v1/jobs?limit=20} for that
 * user and the page after it (with the cursor), p50/p95 of 50 requests after a warm-up, and reads the server
 * JVM's VmRSS/VmHWM from /proc. Run by bench/growth.sh; not part of verify.
 */
public final class GrowthBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String[] USERS = {"main@example.org", "b@example.org", "c@example.org", "d@example.org"};

    private GrowthBench() {
    }

    /**
     * Runs the bench.
     *
     * @param args [levels, comma-separated, default 1000,10000,30000] [requests, default 50]
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        int[] levels = java.util.Arrays.stream((args.length > 0 ? args[0] : "1000,10000,30000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path data = Files.createTempDirectory("mp3conv-growth");
        int port = freePort();
        int admin = freePort();
        // MP3CONV_SERVER: another build's launcher, to run the same bench on it side by side
        String launcher = System.getenv().getOrDefault("MP3CONV_SERVER", Path.of("target", "mp3conv-server").toString());
        ProcessBuilder builder = new ProcessBuilder(Path.of(launcher).toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
        builder.environment().putAll(Map.of("SERVER_HOST", "127.0.0.1", "SERVER_PORT", String.valueOf(port),
                "ADMIN_PORT", String.valueOf(admin), "MP3CONV_DATA_DIR", data.resolve("data").toString(),
                "CONVERTER_FFMPEG", "/usr/bin/ffmpeg"));
        builder.environment().remove("AMQP_URI");
        builder.environment().remove("MONGODB_URI");
        builder.environment().remove("JAVA_OPTS");
        Process process = builder.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + port);
            awaitReady(admin);
            long pid = process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
            Map<String, String> tokens = new LinkedHashMap<>();
            Map<String, String> owners = new LinkedHashMap<>();
            for (String email : USERS) {
                String token = token(base, email);
                tokens.put(email, token);
                owners.put(email, subject(token));
            }
            String store = storeUri(pid, port, admin);
            System.out.println("server pid " + pid + ", embedded store " + store + ", data " + data);
            List<String> rows = new ArrayList<>();
            Map<Integer, long[]> figures = new LinkedHashMap<>();
            try (Mongo client = Mongo.connect(store, "mp3conv", 10_000)) {
                DocumentCollection jobs = client.collection("jobs");
                int inserted = 0;
                for (int level : levels) {
                    long fill = System.nanoTime();
                    try {
                        inserted = fill(jobs, owners, inserted, level);
                    } catch (RuntimeException e) {
                        // a store that cannot take the inserts any more (the driver gave up waiting) ends the run
                        System.out.printf("%6d jobs: the server did not take them (%s after %.1f s): %s%n", level,
                                e.getClass().getSimpleName(), (System.nanoTime() - fill) / 1e9, gc(pid));
                        return;
                    }
                    double fillSeconds = (System.nanoTime() - fill) / 1e9;
                    long[] first = time(base, tokens.get(USERS[0]), null, requests);
                    String cursor = firstPageCursor(base, tokens.get(USERS[0]));
                    long[] further = time(base, tokens.get(USERS[0]), cursor, requests);
                    long rss = kib(pid, "VmRSS");
                    long hwm = kib(pid, "VmHWM");
                    figures.put(level, new long[] {first[0], first[1], further[0], further[1], rss, hwm});
                    String row = String.format("%6d jobs (filled in %5.1f s): first page p50 %6.2f ms p95 %6.2f ms; "
                                    + "next page p50 %6.2f ms p95 %6.2f ms; VmRSS %4d MiB, VmHWM %4d MiB",
                            level, fillSeconds, first[0] / 1e6, first[1] / 1e6, further[0] / 1e6, further[1] / 1e6,
                            rss / 1024, hwm / 1024);
                    System.out.println(row);
                    rows.add(row);
                }
            }
            long[] low = figures.get(levels[0]);
            long[] high = figures.get(levels[levels.length - 1]);
            System.out.printf("RESULT first page p50 at %d / at %d jobs = %.2f, next page %.2f (goal <= 2); "
                            + "VmRSS at %d jobs %d MiB, VmHWM %d MiB (goal <= 300)%n",
                    levels[levels.length - 1], levels[0], (double) high[0] / low[0], (double) high[2] / low[2],
                    levels[levels.length - 1], high[4] / 1024, high[5] / 1024);
            System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Inserts jobs until {@code level} exist: 90 % for the first user, the rest spread over the others. */
    private static int fill(DocumentCollection jobs, Map<String, String> owners, int from, int level) {
        List<String> emails = new ArrayList<>(owners.keySet());
        List<Document> batch = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = from; i < level; i++) {
            String email = i % 10 == 9 ? emails.get(1 + (i / 10) % (emails.size() - 1)) : emails.get(0);
            batch.add(job(owners.get(email), email, i, now));
            if (batch.size() == 500) {
                jobs.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            jobs.insertMany(batch);
        }
        return level;
    }

    /** A finished, notified job as the gateway and converter leave it (nothing left for the sweepers to do). */
    private static Document job(String owner, String email, int n, Instant now) {
        Date created = Date.from(now.minusSeconds(3600));
        Date done = Date.from(now.minusSeconds(3000));
        return new Document("_id", new ObjectId())
                .append("owner", owner).append("owner_email", email)
                .append("filename", "clip-" + n + ".mp4").append("content_type", "video/mp4")
                .append("size", 12_345_678L).append("sha256", "%064x".formatted(n))
                .append("video_fid", new ObjectId().toHexString()).append("state", "DONE")
                .append("attempts", 1).append("progress", 1.0)
                .append("created_at", created).append("updated_at", done)
                .append("duration_seconds", 301.5).append("mp3_fid", new ObjectId().toHexString())
                .append("mp3_size", 7_234_567L).append("mp3_sha256", "%064x".formatted(n + 1L)).append("bitrate", "192k")
                .append("video_published_at", created).append("mp3_published_at", done)
                .append("notified_at", done).append("notify_channel", "log")
                .append("claimed_at", created)
                .append("video_expires_at", Date.from(now.plus(Duration.ofDays(1))))
                .append("expires_at", Date.from(now.plus(Duration.ofDays(7))));
    }

    /** p50 and p95 in nanoseconds of {@code requests} list calls after as many untimed ones. */
    private static long[] time(URI base, String token, String cursor, int requests) throws Exception {
        URI uri = base.resolve("/api/v1/jobs?limit=20" + (cursor == null ? "" : "&cursor=" + cursor));
        // a connection per request: on a kept-alive connection every answer waited ~40 ms here (the server's
        // Nagle against the client's delayed ACK: Helidon's tcp-no-delay is off), which would hide the store's cost
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Connection", "close").build();
        long[] times = new long[requests];
        for (int i = -requests; i < requests; i++) {
            long start = System.nanoTime();
            HttpResponse<String> res = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            if (res.statusCode() != 200 || Json.mapper().readTree(res.body()).get("items").size() != 20) {
                throw new IllegalStateException("list answered " + res.statusCode() + ": " + res.body());
            }
            if (i >= 0) {
                times[i] = took;
            }
        }
        java.util.Arrays.sort(times);
        return new long[] {times[requests / 2], times[(int) Math.ceil(requests * 0.95) - 1]};
    }

    private static String firstPageCursor(URI base, String token) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/jobs?limit=20"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode next = Json.mapper().readTree(res.body()).get("next_cursor");
        if (next == null || next.isNull()) {
            throw new IllegalStateException("no next cursor: " + res.body());
        }
        return next.asText();
    }

    /** The embedded store's loopback listener: the server JVM's listening port that is neither HTTP port. */
    private static String storeUri(long pid, int port, int admin) throws Exception {
        Process ss = new ProcessBuilder("ss", "-Hltnp").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        Matcher m = Pattern.compile("(?:\\[::ffff:)?127\\.0\\.0\\.1\\]?:(\\d+)\\s.*pid=" + pid + ",").matcher(out);
        while (m.find()) {
            int candidate = Integer.parseInt(m.group(1));
            if (candidate != port && candidate != admin) {
                return "mongodb://127.0.0.1:" + candidate + "/?serverSelectionTimeoutMS=5000";
            }
        }
        throw new IllegalStateException("no embedded store listener of pid " + pid + " in:\n" + out);
    }

    private static void awaitReady(int admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health/ready")).build();
        while (true) {
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("server not ready in 120 s");
            }
            Thread.sleep(100);
        }
    }

    private static String token(URI base, String email) throws IOException, InterruptedException {
        String body = "{\"email\":\"" + email + "\",\"password\":\"growth-password\"}";
        HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/users")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        String answer = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/auth/token")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Json.mapper().readTree(answer).get("access_token").asText();
    }

    /** The user id a job's {@code owner} holds: the access token's {@code sub}. */
    private static String subject(String token) throws IOException {
        byte[] payload = Base64.getUrlDecoder().decode(token.split("\\.")[1]);
        return Json.mapper().readTree(payload).get("sub").asText();
    }

    /** The server JVM's collections so far, from jstat (how a heap that no longer holds the data shows). */
    private static String gc(long pid) {
        try {
            Process jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                    "-gcutil", String.valueOf(pid)).redirectErrorStream(true).start();
            String[] lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split("\n");
            jstat.waitFor();
            return "jstat -gcutil: " + String.join(" / ", lines);
        } catch (IOException | InterruptedException e) {
            return "no jstat: " + e;
        }
    }

    private static long kib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " for process " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
