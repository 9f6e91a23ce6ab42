package dev.mp3conv.server.queue;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.testing.MemoryMongo;
import org.bson.types.ObjectId;

/**
 * A jobs collection on an in-memory mongo-java-server (loopback port), one per test.
 */
final class MemoryJobs implements AutoCloseable {
    private final MemoryMongo mongo;
    private final JobRepository jobs;

    MemoryJobs() {
        mongo = MemoryMongo.start("jobs-" + UUID.randomUUID());
        jobs = new JobRepository(mongo.mongo(), Clock.systemUTC());
    }

    dev.mp3conv.server.storage.Mongo store() {
        return mongo.mongo();
    }

    JobRepository repository() {
        return jobs;
    }

    /** A new QUEUED job. */
    Job insert() {
        String id = new ObjectId().toHexString();
        Job job = Job.queued(id, "owner-1", "owner@example.org", "talk.mp4", "video/mp4", 1234, "00",
                "video-" + id, "192k", null, Instant.now());
        jobs.insert(job);
        return job;
    }

    @Override
    public void close() {
        mongo.close();
    }
}
