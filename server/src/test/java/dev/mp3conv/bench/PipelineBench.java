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
import io.helidon.webserver.WebServer;

/**
 * The whole pipeline against its parts, side by side in one run: upload → MP3 ready (a client uploads a
 * video to the gateway of an in-process server with the gateway and converter roles, embedded store and
 * in-process queue, and polls the job every 20 ms until DONE) against the sum of
 * <ul>
 *   <li>a plain upload of the same multipart bytes, with the same client, to a sink on 127.0.0.1 that reads
 *       and discards the body (a Helidon server in this JVM, so the same HTTP stack as the gateway), and</li>
 *   <li>the ffmpeg CLI on the same input with the worker's binary and options
 *       ({@code -map 0:a:0 -vn -c:a libmp3lame -b:a 192k -f mp3}) writing a file.</li>
 * </ul>
 * The sink rather than "the gateway with the converter stopped": the question is what the service adds to
 * moving the bytes and encoding them, and the gateway's own parse, hash and store belong to what it adds.
 * Runs alternate (sink, CLI, pipeline); medians. Goal: pipeline / (upload + CLI) ≤ 1.2.
 * Usage: {@code PipelineBench <cache-dir> [runs] [seconds of input]}.
 */
public final class PipelineBench {
    private static final String BOUNDARY = "----mp3conv-pipeline-bench-91a2";

    private PipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path cache = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "bench/.cache"));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Path data = Files.createTempDirectory("pipeline-bench");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        WebServer sink = DrainingSink.start();
        try (Mp3convServer server = ServerWithFakeAuth.start(data, Map.of("app.roles", "gateway,converter",
                "converter.concurrency", "1"))) {
            String ffmpeg = server.components().stream().filter(ConverterRole.class::isInstance)
                    .map(c -> ((ConverterRole) c).ffmpegExecutable().toString()).findFirst().orElseThrow();
            Path mp4 = ConvertBench.generate(ffmpeg, cache.resolve("talk-720p-" + seconds + "s.mp4"), "-f", "lavfi",
                    "-i", "testsrc2=size=1280x720:rate=5:duration=" + seconds, "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds, "-ac", "2",
                    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-c:a", "aac", "-b:a", "128k", "-shortest");
            byte[] body = multipart(mp4);
            URI sinkUri = URI.create("http://127.0.0.1:" + sink.port() + DrainingSink.PATH);
            URI jobs = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/jobs");
            System.out.printf("ffmpeg: %s%ninput: %s (%.1f MB, %d s of audio), %d runs each, alternating%n",
                    ffmpeg, mp4, body.length / 1e6, seconds, runs);
            post(http, sinkUri, body); // warm both HTTP paths once, untimed
            pipeline(http, jobs, body);
            double[] upload = new double[runs];
            double[] cli = new double[runs];
            double[] pipeline = new double[runs];
            double[] accepted = new double[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                post(http, sinkUri, body);
                upload[i] = (System.nanoTime() - start) / 1e9;
                cli[i] = ConvertBench.cli(ffmpeg, mp4, data.resolve("cli.mp3"), "-c:a", "libmp3lame", "-b:a", "192k");
                double[] timing = pipeline(http, jobs, body);
                accepted[i] = timing[0];
                pipeline[i] = timing[1];
                System.out.printf("run %d: plain upload %.3f s, ffmpeg CLI %.2f s, upload -> MP3 ready %.2f s "
                                + "(of which upload to 202 %.3f s) (ratio %.2f)%n",
                        i + 1, upload[i], cli[i], pipeline[i], accepted[i], pipeline[i] / (upload[i] + cli[i]));
            }
            double u = ConvertBench.median(upload);
            double c = ConvertBench.median(cli);
            double p = ConvertBench.median(pipeline);
            System.out.printf("medians: plain upload %.3f s + ffmpeg CLI %.2f s = %.2f s; upload -> MP3 ready %.2f s "
                    + "(gateway upload to 202: %.3f s)%n", u, c, u + c, p, ConvertBench.median(accepted));
            System.out.printf("RESULT pipeline / (upload + ffmpeg CLI) = %.3f (goal <= 1.2)%n", p / (u + c));
            System.out.printf("load average at the end: %.1f on %d cores%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            sink.stop();
            UploadBench.deleteTree(data);
        }
    }

    private static byte[] multipart(Path file) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"bitrate\"\r\n\r\n192k\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"talk.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(Files.readAllBytes(file));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 202) {
            throw new IllegalStateException(uri + " answered " + res.statusCode() + ": " + res.body());
        }
        return res;
    }

    /**
     * Upload, then poll the job every 20 ms (below the run-to-run noise) until DONE; seconds from the first byte
     * sent to the 202, and to DONE.
     */
    private static double[] pipeline(HttpClient http, URI jobs, byte[] body) throws IOException, InterruptedException {
        long start = System.nanoTime();
        String id = Json.mapper().readTree(post(http, jobs, body).body()).get("id").asText();
        double accepted = (System.nanoTime() - start) / 1e9;
        URI job = URI.create(jobs + "/" + id);
        HttpRequest status = HttpRequest.newBuilder(job)
                .header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN).build();
        long deadline = start + Duration.ofMinutes(10).toNanos();
        while (true) {
            JsonNode view = Json.mapper().readTree(http.send(status, HttpResponse.BodyHandlers.ofString()).body());
            String state = view.path("state").asText();
            if (state.equals("DONE")) {
                double seconds = (System.nanoTime() - start) / 1e9;
                http.send(HttpRequest.newBuilder(job).header("Authorization", "Bearer " + ServerWithFakeAuth.ALICE_TOKEN)
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
                return new double[] {accepted, seconds};
            }
            if (state.equals("FAILED") || System.nanoTime() > deadline) {
                throw new IllegalStateException("bench job " + id + " ended " + view);
            }
            Thread.sleep(20); // the client's polling period
        }
    }
}
