package dev.mp3conv.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.converter.ConverterRole;

/**
 * Segment-parallel conversion against one ffmpeg CLI run (issue 18), side by side in one run: a
 * long video (20 minutes by default: small H.264 picture, AAC stereo of chirps, tones and pink
 * noise) uploaded to the default all-in-one server (all roles, embedded store, in-process queue,
 * {@code converter.concurrency} = cores, segments at the default threshold), timed to DONE from the upload's
 * response (its {@code 202}, the measure) and from the upload's first byte (which adds the ~0.1 s the 23 MB
 * take to arrive and be stored; the one figure of every run before 2026-12-01 17:30). DONE is seen as
 * {@code mp3conv upload --wait} sees it: the job's Server-Sent Events,
 * pushed within milliseconds of the change; {@code -Dbench.follow=poll} polls the job every 20 ms instead, as this
 * bench did before 2026-12-01 14:00 — on 2 cores those polls took a quarter to a third of a core from the
 * encodes. Both against the ffmpeg CLI on the same file at the
 * same bitrate ({@code -map 0:a:0 -vn -c:a libmp3lame -b:a 192k}), and against what the machine allows at
 * that moment: the same encode cut in one piece per core, each piece a CLI run, all at once (on a shared
 * machine whose scheduler groups processes by session, a second process of the same session may add
 * nothing). Two untimed conversions through the server go first (with one, runs 1–3 were ~0.1 s slower than runs
 * 4–5: the server's paths were still being compiled; a production server is warm). Runs alternate; medians.
 * Goal: segmented (from the response) / CLI ≤ 0.55 on 2 cores.
 * Usage: {@code SegmentBench <cache-dir> [runs] [seconds of input]}.
 */
public final class SegmentBench {
    private static final String BOUNDARY = "----mp3conv-segment-bench-7f3c";
    /** Poll the job every 20 ms instead of following its events (the figures before 2026-12-01 14:00). */
    private static final boolean POLL = "poll".equals(System.getProperty("bench.follow"));
    /** Untimed conversions through the server before the timed runs. */
    private static final int WARM_UPS = 2;

    private SegmentBench() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/.cache"));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 1200;
        Path data = Files.createTempDirectory("segment-bench");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // the default all-in-one server: every role but auth (a fake verifier stands in), default converter settings
        try (Mp3convServer server = ServerWithFakeAuth.start(data, Map.of("app.roles", "gateway,converter,notifier"))) {
            String ffmpeg = server.components().stream().filter(ConverterRole.class::isInstance)
                    .map(c -> ((ConverterRole) c).ffmpegExecutable().toString()).findFirst().orElseThrow();
            Path video = generate(ffmpeg, cache, seconds);
            byte[] body = multipart(video);
            URI jobs = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/jobs");
            System.out.printf("ffmpeg: %s%ninput: %s (%.1f MB, %d s of audio), all-in-one server with %d cores, "
                    + "%d runs each, alternating; DONE seen by %s%n", ffmpeg, video, body.length / 1e6, seconds,
                    Runtime.getRuntime().availableProcessors(), runs, POLL ? "polling every 20 ms" : "its events");
            // two untimed warm-ups: after one, the first timed runs were ~0.1 s slower than the later ones (the
            // server's paths still compiling), and a production server is warm
            for (int i = 0; i < WARM_UPS; i++) {
                pipeline(http, jobs, body);
            }
            int cores = Runtime.getRuntime().availableProcessors();
            double[] cli = new double[runs];
            double[] parallel = new double[runs];
            double[] segmented = new double[runs];
            double[] firstByte = new double[runs];
            for (int i = 0; i < runs; i++) {
                Timing timing;
                if (i % 2 == 0) {
                    cli[i] = ConvertBench.cli(ffmpeg, video, data.resolve("cli.mp3"), "-c:a", "libmp3lame", "-b:a", "192k");
                    timing = pipeline(http, jobs, body);
                    parallel[i] = parallelCli(ffmpeg, video, data, seconds, cores);
                } else {
                    parallel[i] = parallelCli(ffmpeg, video, data, seconds, cores);
                    timing = pipeline(http, jobs, body);
                    cli[i] = ConvertBench.cli(ffmpeg, video, data.resolve("cli.mp3"), "-c:a", "libmp3lame", "-b:a", "192k");
                }
                segmented[i] = timing.fromResponse();
                firstByte[i] = timing.fromFirstByte();
                System.out.printf("run %d: ffmpeg CLI %.2f s, upload response -> DONE (segmented) %.2f s (ratio %.3f), "
                                + "first byte -> DONE %.2f s (ratio %.3f); %d CLI runs on 1/%d each at once %.2f s "
                                + "(ratio %.3f); load average %.1f%n", i + 1, cli[i], segmented[i], segmented[i] / cli[i],
                        firstByte[i], firstByte[i] / cli[i], cores, cores, parallel[i], parallel[i] / cli[i], load());
            }
            double c = ConvertBench.median(cli);
            double s = ConvertBench.median(segmented);
            double f = ConvertBench.median(firstByte);
            double p = ConvertBench.median(parallel);
            System.out.printf("medians: ffmpeg CLI %.2f s, upload response -> DONE %.2f s, first byte -> DONE %.2f s, "
                    + "%d CLI parts at once %.2f s%n", c, s, f, cores, p);
            System.out.printf("RESULT segmented upload response -> DONE / ffmpeg CLI = %.3f (goal <= 0.55)%n", s / c);
            System.out.printf("RESULT segmented first byte of the upload -> DONE / ffmpeg CLI = %.3f%n", f / c);
            System.out.printf("what the machine allows now: %d CLI parts at once / one CLI = %.3f (segmented against it: "
                    + "%.3f from the response, %.3f from the first byte)%n", cores, p / c, s / p, f / p);
            System.out.printf("load average at the end: %.1f on %d cores%n", load(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            UploadBench.deleteTree(data);
        }
    }

    /**
     * The bench input, made once into the cache: 20 minutes are a minute or two of ffmpeg.
     *
     * @param ffmpeg  ffmpeg executable
     * @param cache   cache directory
     * @param seconds duration
     * @return the MP4
     * @throws IOException          when ffmpeg fails
     * @throws InterruptedException when interrupted
     */
    public static Path generate(String ffmpeg, Path cache, int seconds) throws IOException, InterruptedException {
        String tones = "0.25*sin(2*PI*(100+150*mod(t\\,7))*t)+0.15*sin(2*PI*(if(lt(mod(t\\,3)\\,1.5)\\,660\\,1320))*t)"
                + "|0.3*sin(2*PI*(2000-120*mod(t\\,11))*t)+0.1*sin(2*PI*440*t)";
        return ConvertBench.generate(ffmpeg, cache.resolve("lecture-" + seconds + "s.mp4"),
                "-f", "lavfi", "-i", "aevalsrc=" + tones + ":s=44100:d=" + seconds,
                "-f", "lavfi", "-i", "anoisesrc=d=" + seconds + ":c=pink:r=44100:a=0.08:seed=7",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=2:duration=" + seconds,
                "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0[a]", "-map", "[a]", "-map", "2:v",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "35", "-c:a", "aac", "-b:a", "128k");
    }

    /**
     * The ceiling the machine allows at this moment: the same encode cut in {@code parts} pieces by time,
     * each a CLI run of its own, all at once; wall seconds until the last ends.
     *
     * @param ffmpeg  executable
     * @param video   input
     * @param dir     where the outputs go (deleted)
     * @param seconds input duration
     * @param parts   runs at once
     * @return seconds
     * @throws IOException          when a run fails
     * @throws InterruptedException when interrupted
     */
    public static double parallelCli(String ffmpeg, Path video, Path dir, int seconds, int parts)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        java.util.List<Process> running = new java.util.ArrayList<>();
        double each = (double) seconds / parts;
        for (int i = 0; i < parts; i++) {
            running.add(new ProcessBuilder(ffmpeg, "-v", "error", "-nostdin", "-y", "-ss", String.valueOf(i * each),
                    "-t", String.valueOf(each), "-i", video.toString(), "-map", "0:a:0", "-vn", "-c:a", "libmp3lame",
                    "-b:a", "192k", "-f", "mp3", dir.resolve("part-" + i + ".mp3").toString()).inheritIO().start());
        }
        for (Process process : running) {
            if (process.waitFor() != 0) {
                throw new IOException("ffmpeg CLI part failed");
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < parts; i++) {
            Files.deleteIfExists(dir.resolve("part-" + i + ".mp3"));
        }
        return wall;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static byte[] multipart(Path file) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"bitrate\"\r\n\r\n192k\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lecture.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(Files.readAllBytes(file));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** Upload, then follow the job until DONE; seconds from the first byte sent to DONE. */
    /** Seconds to DONE from the upload's first byte and from its response. */
    private record Timing(double fromFirstByte, double fromResponse) {
    }

    private static Timing pipeline(HttpClient http, URI jobs, byte[] body) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(jobs)
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 202) {
            throw new IllegalStateException("upload answered " + res.statusCode() + ": " + res.body());
        }
        long answered = System.nanoTime();
        URI job = URI.create(jobs + "/" + Json.mapper().readTree(res.body()).get("id").asText());
        double seconds = POLL ? poll(http, job, start) : follow(http, job, start);
        http.send(HttpRequest.newBuilder(job).header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        return new Timing(seconds, seconds - (answered - start) / 1e9);
    }

    /**
     * Follows the job's Server-Sent Events (as the CLI's {@code --wait} does) until DONE.
     *
     * @return seconds from {@code start} to the DONE event
     */
    private static double follow(HttpClient http, URI job, long start) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(URI.create(job + "/events"))
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(15)).build(),
                HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = events.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                JsonNode event = Json.mapper().readTree(line.substring(5));
                String state = event.path("state").asText();
                if (state.equals("DONE")) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (state.equals("FAILED")) {
                    throw new IllegalStateException("bench job ended " + event);
                }
            }
        }
        throw new IllegalStateException("the event stream of " + job + " ended before DONE");
    }

    /** Polls the job every 20 ms until DONE; seconds from {@code start}. */
    private static double poll(HttpClient http, URI job, long start) throws IOException, InterruptedException {
        HttpRequest status = HttpRequest.newBuilder(job)
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN).build();
        long deadline = start + Duration.ofMinutes(15).toNanos();
        while (true) {
            JsonNode view = Json.mapper().readTree(http.send(status, HttpResponse.BodyHandlers.ofString()).body());
            String state = view.path("state").asText();
            if (state.equals("DONE")) {
                return (System.nanoTime() - start) / 1e9;
            }
            if (state.equals("FAILED") || System.nanoTime() > deadline) {
                throw new IllegalStateException("bench job ended " + view);
            }
            Thread.sleep(20); // the client's polling period
        }
    }
}
