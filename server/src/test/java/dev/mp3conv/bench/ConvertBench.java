package dev.mp3conv.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.converter.ConverterRole;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import org.bson.types.ObjectId;

/**
 * Converter speed, side by side in one run:
 * <ol>
 *   <li>the worker (video message → claim → ffmpeg with the probe beside it → blob store → DONE → mp3
 *       message, timed from publishing the one to receiving the other) against the plain ffmpeg CLI
 *       (same binary, same 192k CBR, output to a file) on one 10-minute 720p H.264/AAC MP4 with its
 *       index at the end, alternately; goal: median ratio ≤ 1.05;</li>
 *   <li>the worker on an MKV with MP3 audio: stream copy (no bitrate asked) against re-encode (192k);
 *       goal: ratio ≤ 0.05.</li>
 * </ol>
 * Inputs are generated once into the cache directory (first argument). Usage:
 * {@code ConvertBench <cache-dir> [runs] [ffmpeg]}.
 */
public final class ConvertBench {
    private static final int SECONDS = 600;

    private ConvertBench() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/.cache"));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String configured = args.length > 2 ? args[2] : "";
        Path data = Files.createTempDirectory("convert-bench");
        Map<String, String> settings = new java.util.HashMap<>(Map.of("app.data-dir", data.toString(),
                "server.port", "0", "admin.port", "0", "app.roles", "converter", "converter.concurrency", "1"));
        if (!configured.isBlank()) {
            settings.put("converter.ffmpeg", configured);
        }
        try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), settings))) {
            String ffmpeg = server.components().stream().filter(ConverterRole.class::isInstance)
                    .map(c -> ((ConverterRole) c).ffmpegExecutable().toString()).findFirst().orElseThrow();
            Path mp4 = generate(ffmpeg, cache.resolve("talk-720p-10min.mp4"), "-f", "lavfi",
                    "-i", "testsrc2=size=1280x720:rate=5:duration=" + SECONDS, "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=44100:duration=" + SECONDS, "-ac", "2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-c:a", "aac", "-b:a", "128k", "-shortest");
            Path mkv = generate(ffmpeg, cache.resolve("talk-720p-10min-mp3.mkv"), "-i", mp4.toString(),
                    "-c:v", "copy", "-c:a", "libmp3lame", "-b:a", "192k");
            System.out.printf("ffmpeg: %s%ninput: %s (%d MB), %d runs each, alternating%n", ffmpeg, mp4,
                    Files.size(mp4) >> 20, runs);

            Bench bench = new Bench(server, new ConcurrentHashMap<>());
            // the converter announces a finished job on the mp3 topic (as it does for the notifier):
            // the bench takes the time it hears of it, with no polling period added to the figures
            server.backend().queue().consume(Topic.MP3, 1, delivery -> bench.finished(delivery.message().jobId()));
            String mp4Blob = bench.store(mp4);
            String mkvBlob = bench.store(mkv);
            double[] worker = new double[runs];
            double[] cli = new double[runs];
            double[] copy = new double[runs];
            double[] reencode = new double[runs];
            for (int i = 0; i < runs; i++) {
                worker[i] = bench.worker(mp4Blob, "192k");
                cli[i] = cli(ffmpeg, mp4, data.resolve("cli.mp3"), "-c:a", "libmp3lame", "-b:a", "192k");
                System.out.printf("run %d: worker %.2f s, ffmpeg CLI %.2f s%n", i + 1, worker[i], cli[i]);
            }
            double[] cliCopy = new double[runs];
            for (int i = 0; i < runs; i++) {
                copy[i] = bench.worker(mkvBlob, null);
                reencode[i] = bench.worker(mkvBlob, "192k");
                cliCopy[i] = cli(ffmpeg, mkv, data.resolve("cli.mp3"), "-c:a", "copy");
                System.out.printf("run %d: MKV/MP3 stream copy %.2f s, re-encode %.2f s (ffmpeg CLI copy alone %.2f s)%n",
                        i + 1, copy[i], reencode[i], cliCopy[i]);
            }
            System.out.printf("worker / ffmpeg CLI (median of medians): %.3f (goal <= 1.05); medians %.2f s / %.2f s%n",
                    median(worker) / median(cli), median(worker), median(cli));
            System.out.printf("stream copy / re-encode: %.3f (goal <= 0.05); medians %.2f s / %.2f s%n",
                    median(copy) / median(reencode), median(copy), median(reencode));
            System.out.printf("floor on this machine now: ffmpeg CLI copy / worker re-encode: %.3f%n",
                    median(cliCopy) / median(reencode));
            System.out.printf("load average at the end: %.1f on %d cores%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    static Path generate(String ffmpeg, Path target, String... args) throws IOException, InterruptedException {
        if (Files.exists(target)) {
            return target;
        }
        System.out.println("generating " + target + " (once)");
        Path part = target.resolveSibling("part-" + target.getFileName());
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-v", "error", "-nostdin", "-y"));
        command.addAll(Arrays.asList(args));
        command.add(part.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException("cannot generate " + target);
        }
        return Files.move(part, target);
    }

    /** The CLI with the worker's stream selection ({@code -vn} alone is slower: measured 19.6 s against 16.9 s). */
    static double cli(String ffmpeg, Path input, Path output, String... codec) throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-v", "error", "-nostdin", "-y", "-i", input.toString(),
                "-map", "0:a:0", "-vn"));
        command.addAll(Arrays.asList(codec));
        command.addAll(List.of("-f", "mp3", output.toString()));
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException("ffmpeg CLI failed");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.delete(output);
        return seconds;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Drives the worker through the queue like the gateway would. */
    private record Bench(Mp3convServer server, Map<String, CompletableFuture<Long>> announced) {
        void finished(String jobId) {
            long now = System.nanoTime();
            announced.computeIfAbsent(jobId, id -> new CompletableFuture<>()).complete(now);
        }

        String store(Path video) throws IOException {
            try (InputStream in = Files.newInputStream(video)) {
                BlobInfo blob = server.backend().blobs().write(new BlobMetadata("bench", "bench", "video/mp4",
                        video.getFileName().toString()), in);
                return blob.id();
            }
        }

        double worker(String videoBlob, String bitrate) throws Exception {
            String id = new ObjectId().toHexString();
            Job job = Job.queued(id, "bench", "bench@example.com", "talk.mp4", "video/mp4", 0, "00", videoBlob,
                    bitrate, null, server.backend().jobs().now());
            server.backend().jobs().insert(job);
            long start = System.nanoTime();
            server.backend().queue().publish(Topic.VIDEO, job.message());
            long end = announced.computeIfAbsent(id, k -> new CompletableFuture<>()).get(5, TimeUnit.MINUTES);
            double seconds = (end - start) / 1e9;
            Job done = server.backend().jobs().find(id).orElseThrow();
            if (done.state() != JobState.DONE) {
                throw new IllegalStateException("bench job failed: " + done.error());
            }
            server.backend().blobs().delete(done.mp3Fid());
            server.backend().jobs().delete(id);
            return seconds;
        }
    }
}
