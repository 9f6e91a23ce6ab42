package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import org.bson.types.ObjectId;

import static org.awaitility.Awaitility.await;

/**
 * A whole server running only the converter role, plus what the gateway and notifier would do
 * around it: store an upload and queue its job; collect the {@code mp3} messages.
 */
final class ConverterTestServer implements AutoCloseable {
    static final String OWNER = "user-1";

    private final Mp3convServer server;
    private final List<JobMessage> mp3Messages = new CopyOnWriteArrayList<>();
    private final JobQueue.Consumer mp3Consumer;

    ConverterTestServer(Path dataDir, Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(Map.of("app.data-dir", dataDir.toString(),
                "server.port", "0", "admin.port", "0", "app.roles", "converter", "converter.concurrency", "2"));
        overrides.putAll(settings);
        this.server = Mp3convServer.start(Settings.load(Map.of(), overrides));
        this.mp3Consumer = server.backend().queue().consume(Topic.MP3, 1, d -> mp3Messages.add(d.message()));
    }

    Mp3convServer server() {
        return server;
    }

    ConverterRole converter() {
        return server.components().stream().filter(ConverterRole.class::isInstance).map(ConverterRole.class::cast)
                .findFirst().orElseThrow();
    }

    /** Stores a video and queues its job, as the gateway does. */
    String submit(Path video, String bitrate, Integer quality) throws IOException {
        return submit(video, (jobId, blob) -> Job.queued(jobId, OWNER, "user@example.com",
                video.getFileName().toString(), "video/mp4", blob.length(), "0".repeat(64), blob.id(), bitrate,
                quality, server.backend().jobs().now()));
    }

    /** Stores a video and queues its job with these options, as the gateway does. */
    String submit(Path video, dev.mp3conv.model.Mp3Options options) throws IOException {
        return submit(video, (jobId, blob) -> Job.queuedWith(jobId, OWNER, "user@example.com",
                video.getFileName().toString(), "video/mp4", blob.length(), "0".repeat(64), blob.id(), options, null,
                server.backend().jobs().now()));
    }

    private String submit(Path video, BiFunction<String, BlobInfo, Job> queued) throws IOException {
        String jobId = new ObjectId().toHexString();
        BlobInfo blob;
        try (InputStream in = Files.newInputStream(video)) {
            blob = server.backend().blobs().write(new BlobMetadata(OWNER, jobId, "video/mp4",
                    video.getFileName().toString()), in);
        }
        Job job = queued.apply(jobId, blob);
        server.backend().jobs().insert(job);
        server.backend().queue().publish(Topic.VIDEO, job.message());
        return jobId;
    }

    Job job(String id) {
        return server.backend().jobs().find(id).orElseThrow();
    }

    Job awaitFinished(String id) {
        await().atMost(Duration.ofSeconds(90)).until(() -> job(id).state().terminal());
        return job(id);
    }

    List<JobMessage> mp3Messages() {
        return List.copyOf(mp3Messages);
    }

    /** The MP3 bytes of a job as a local file (the embedded store keeps blobs as files). */
    Path mp3File(Job job) throws IOException {
        BlobStore blobs = server.backend().blobs();
        Path local = blobs.localFile(job.mp3Fid()).orElse(null);
        if (local != null) {
            return local;
        }
        Path copy = Files.createTempFile(server.backend().dataDir(), "mp3-", ".mp3");
        try (InputStream in = blobs.open(job.mp3Fid())) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    /** MP3 blobs stored for a job, counted from the filesystem store's metadata sidecars. */
    long mp3BlobsOf(String jobId) throws IOException {
        Path blobs = server.backend().dataDir().resolve("blobs");
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).filter(p -> {
                try {
                    var sidecar = dev.mp3conv.model.Json.mapper().readTree(p.toFile());
                    return sidecar.toString().contains(jobId) && sidecar.toString().contains("audio/mpeg");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }

    @Override
    public void close() {
        mp3Consumer.close();
        server.close();
    }
}
