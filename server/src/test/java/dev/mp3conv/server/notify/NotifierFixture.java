package dev.mp3conv.server.notify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mp3conv.model.JobError;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.queue.Topic;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import org.bson.types.ObjectId;

/**
 * Starts a notifier-only server on the embedded store and makes finished jobs the way the converter
 * does (claim, complete or fail), then publishes their {@code mp3} message.
 */
final class NotifierFixture implements AutoCloseable {
    final Mp3convServer server;
    private final io.helidon.config.Config config;

    NotifierFixture(Path dataDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(
                "app.data-dir", dataDir.toString(),
                "app.roles", "notifier",
                "app.public-url", "https://mp3.example.test",
                "server.port", "0",
                "admin.port", "0",
                "notify.concurrency", "1",
                "notify.retry-backoff", "50ms",
                "notify.max-retry-backoff", "200ms"));
        all.putAll(settings);
        config = Settings.load(Map.of(), all);
        server = Mp3convServer.start(config);
    }

    /** The cipher of stored webhook secrets, as this server's roles have it. */
    WebhookSecretCipher cipher() {
        return WebhookService.cipher(server.backend(), WebhookSettings.from(config.get("webhooks")));
    }

    JobRepository jobs() {
        return server.backend().jobs();
    }

    /** A DONE job of {@code email}, 61 s long, MP3 of 1 000 000 bytes, not yet announced. */
    Job done(String owner, String email, String filename) {
        Job job = claimed(owner, email, filename);
        jobs().recordDuration(job.id(), "test-worker", 61.2);
        return jobs().complete(job.id(), "test-worker", new ObjectId().toHexString(), 1_000_000L, "00", "192k").orElseThrow();
    }

    /** A FAILED job of {@code email}. */
    Job failed(String owner, String email, String filename, String reason) {
        Job job = claimed(owner, email, filename);
        return jobs().fail(job.id(), "test-worker", new JobError("no-audio", reason)).orElseThrow();
    }

    private Job claimed(String owner, String email, String filename) {
        String id = new ObjectId().toHexString();
        jobs().insert(Job.queued(id, owner, email, filename, "video/mp4", 4096, "00", new ObjectId().toHexString(),
                "192k", null, jobs().now()));
        return jobs().claim(id, "test-worker", Duration.ofMinutes(1)).orElseThrow();
    }

    void publish(Job job) {
        server.backend().queue().publish(Topic.MP3, job.message());
    }

    Job reload(Job job) {
        return jobs().find(job.id()).orElseThrow();
    }

    double count(String channel, String outcome) {
        return server.backend().meters().getOrCreate(Counter.builder(NotifyMetrics.NAME)
                .tags(List.of(Tag.create("channel", channel), Tag.create("outcome", outcome)))).count();
    }

    @Override
    public void close() {
        server.close();
    }
}
