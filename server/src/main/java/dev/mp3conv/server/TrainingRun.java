package dev.mp3conv.server;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.model.TokenResponse;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobChanges;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.EmbeddedMongo;
import org.bson.types.ObjectId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mp3conv-server aot-training} (hidden): the build's training run for the JDK's ahead-of-time
 * cache. It starts every role with embedded defaults in a scratch directory on ephemeral loopback
 * ports, walks the journey a first user takes (register, log in, upload a short WAV, wait for the MP3,
 * download it) and stops; the JVM then writes the classes it loaded and linked, and their profiles, to
 * the cache the launcher maps at the next start. It is not a test: a failed step ends the run with a
 * message, and the build goes on without a cache.
 *
 * <p>With {@code --roles converter} it trains the converter-only cache instead (the launcher maps it when
 * {@code APP_ROLES=converter}): a converter-only process on a MongoDB-wire store (the embedded store,
 * served from a child JVM so that its classes stay out of this cache) with blobs in GridFS, as a
 * converter runs in a cluster; a job is stored and queued here, as a gateway would, and converted. Only
 * the classes a converter loads go into that cache (a converter maps every class of its cache at start).
 * The RabbitMQ client is not trained (no broker at build time): its classes load from the jar.
 */
@Command(name = "aot-training", hidden = true, description = "Training run for the ahead-of-time cache (build only).")
final class TrainingRun implements Callable<Integer> {
    private static final Duration STEP = Duration.ofSeconds(60);

    @Option(names = "--roles", description = "all (the default) or converter")
    String roles = "all";

    @Option(names = "--serve-store", description = "internal: serve the embedded store in this folder until stdin closes")
    Path serveStore;

    @Override
    public Integer call() throws Exception {
        if (serveStore != null) {
            return TrainingStore.serve(serveStore);
        }
        if (!roles.equals("all") && !roles.equals("converter")) {
            throw new IllegalArgumentException("--roles is all or converter, not " + roles);
        }
        Path scratch = Files.createTempDirectory("mp3conv-aot-training");
        try {
            if (roles.equals("converter")) {
                converterJourney(scratch);
                return 0;
            }
            try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), Map.of(
                    "app.data-dir", scratch.toString(),
                    "server.host", "127.0.0.1", "server.port", "0",
                    "admin.host", "127.0.0.1", "admin.port", "0")))) {
                journey(URI.create("http://127.0.0.1:" + server.port()));
                return 0;
            }
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void journey(URI base) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(STEP).build();
        String credentials = "{\"email\":\"training@example.org\",\"password\":\"training-password-1\"}";
        send(http, json(base.resolve("/api/v1/users"), credentials), 201);
        TokenResponse token = Json.mapper().readValue(
                send(http, json(base.resolve("/api/v1/auth/token"), credentials), 200), TokenResponse.class);
        String bearer = "Bearer " + token.accessToken();
        String boundary = "mp3conv-training";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tone.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(wav(2));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        JobView job = Json.mapper().readValue(send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs"))
                .header("Authorization", bearer).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).timeout(STEP).build(), 202), JobView.class);
        // the event stream ends with the job
        String events = send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs/" + job.id() + "/events"))
                .header("Authorization", bearer).timeout(STEP).build(), 200);
        if (!events.contains("\"DONE\"")) {
            throw new IOException("the training job did not end DONE: " + events);
        }
        send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs/" + job.id() + "/mp3"))
                .header("Authorization", bearer).timeout(STEP).build(), 200);
        send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs")).header("Authorization", bearer)
                .timeout(STEP).build(), 200);
    }

    private static void converterJourney(Path scratch) throws Exception {
        Process store = TrainingStore.start(scratch.resolve("store"));
        try {
            String uri = TrainingStore.connectionString(store);
            try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), Map.of(
                    "app.roles", "converter",
                    "app.data-dir", scratch.resolve("converter").toString(),
                    "mongodb.uri", uri,
                    "server.host", "127.0.0.1", "server.port", "0",
                    "admin.host", "127.0.0.1", "admin.port", "0")))) {
                Backend backend = server.backend();
                String jobId = new ObjectId().toHexString();
                byte[] wav = wav(2);
                BlobInfo blob = backend.blobs().write(new BlobMetadata("training", jobId, "audio/wav", "tone.wav"),
                        new ByteArrayInputStream(wav));
                Job job = Job.queuedWith(jobId, "training", "training@example.org", "tone.wav", "audio/wav",
                        blob.length(), sha256(wav), blob.id(), Mp3Options.fromFields(Map.of()), null, backend.jobs().now());
                CompletableFuture<Job> finished = new CompletableFuture<>();
                try (JobChanges.Watch watch = backend.jobs().changes().watch(jobId, () -> backend.jobs().find(jobId)
                        .filter(j -> j.state().terminal()).ifPresent(finished::complete))) {
                    backend.jobs().insert(job);
                    backend.queue().publish(Topic.VIDEO, job.message());
                    Job done = finished.get(STEP.toSeconds(), TimeUnit.SECONDS);
                    if (done.state() != JobState.DONE) {
                        throw new IOException("the training job did not end DONE: " + done.state() + " " + done.error());
                    }
                } catch (TimeoutException e) {
                    throw new IOException("the training job did not finish within " + STEP, e);
                }
            }
        } finally {
            store.getOutputStream().close();
            if (!store.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
                store.destroyForcibly();
            }
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static HttpRequest json(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(STEP).build();
    }

    private static String send(HttpClient http, HttpRequest request, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(request.method() + " " + request.uri().getPath() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** A mono 16-bit 22.05 kHz WAV of a 440 Hz tone. */
    private static byte[] wav(int seconds) {
        int rate = 22_050;
        int samples = rate * seconds;
        ByteBuffer out = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            out.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate)));
        }
        return out.array();
    }

    /**
     * The converter training's store: the embedded store in a child JVM of the same runtime and class
     * path, without the training's options, so that none of its classes reach the converter's cache.
     */
    static final class TrainingStore {
        private TrainingStore() {
        }

        static Process start(Path dir) throws IOException {
            String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                    "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java, "-Dio.netty.noUnsafe=true",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "aot-training", "--serve-store", dir.toString()));
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }

        /** The first line the child prints: its connection string. */
        static String connectionString(Process store) throws IOException {
            BufferedReader out = new BufferedReader(new InputStreamReader(store.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("mongodb://127.0.0.1:")) {
                throw new IOException("the training store did not start: " + line);
            }
            return line;
        }

        /** In the child: serves the store, prints its connection string, stops when stdin closes. */
        static int serve(Path dir) throws IOException {
            try (EmbeddedMongo store = EmbeddedMongo.start(dir)) {
                System.out.println(store.connectionString());
                System.out.flush();
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return 0;
        }
    }
}
