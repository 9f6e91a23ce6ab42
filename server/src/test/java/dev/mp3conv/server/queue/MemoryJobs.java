package dev.mp3conv.server.queue;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.storage.Await;
import dev.mp3conv.server.storage.Mongo;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.bson.types.ObjectId;

/**
 * A jobs collection on an in-memory mongo-java-server (loopback port), one per test.
 */
final class MemoryJobs implements AutoCloseable {
    private final MongoServer server;
    private final Mongo mongo;
    private final JobRepository jobs;

    MemoryJobs() {
        MemoryBackend backend = new MemoryBackend();
        backend.version(ServerVersion.MONGO_5_0);
        server = new MongoServer(backend);
        // one worker thread: the stand-in answers findOneAndUpdate with the live stored document, and
        // with several workers a concurrent update of the same job (the publisher marking it published
        // while a consumer completes it) is encoded mid-change (ConcurrentModificationException) and
        // the driver never gets its reply
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1, 1);
        var address = server.getLocalAddress();
        mongo = Mongo.connect("mongodb://127.0.0.1:" + address.getPort(), "jobs-" + UUID.randomUUID(), 5_000);
        jobs = new JobRepository(mongo.database(), Clock.systemUTC());
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
        Await.done(mongo.database().drop());
        mongo.close();
        server.shutdownNow();
    }
}
