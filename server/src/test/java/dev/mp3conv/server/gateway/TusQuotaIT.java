package dev.mp3conv.server.gateway;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.UploadRepository;
import dev.mp3conv.server.queue.InProcessJobQueue;
import dev.mp3conv.server.queue.QueueMetrics;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import dev.mp3conv.server.testing.MemoryMongo;
import io.helidon.http.Status;
import io.helidon.metrics.api.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-user quota hook of the tus uploads: asked with the declared length, then with each PATCH. */
class TusQuotaIT {
    private static final Principal ALICE = new Principal("u-alice", "alice@example.com", false);

    @TempDir
    Path dir;

    private MemoryMongo mongo;
    private InProcessJobQueue queue;
    private FileSystemBlobStore blobs;
    private final List<String> asked = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        mongo = MemoryMongo.start("tus-quota");
        queue = new InProcessJobQueue(3, new QueueMetrics(Metrics.globalRegistry()));
        blobs = FileSystemBlobStore.open(dir);
    }

    @AfterEach
    void close() {
        queue.close();
        mongo.close();
    }

    private TusUploads uploads(long limit) {
        UploadQuota quota = new UploadQuota() {
            @Override
            public void admitCreation(Principal owner, long declaredLength) {
                asked.add("create " + owner.userId() + " " + declaredLength);
                if (declaredLength > limit) {
                    throw new ProblemException(Status.REQUEST_ENTITY_TOO_LARGE_413, "over your quota");
                }
            }

            @Override
            public void admitAppend(Principal owner, String jobId, long offset, long bytes) {
                asked.add("append " + offset + " " + bytes);
                if (offset + bytes > limit) {
                    throw new ProblemException(Status.REQUEST_ENTITY_TOO_LARGE_413, "over your quota");
                }
            }
        };
        JobRepository jobs = new JobRepository(mongo.mongo(), Clock.systemUTC());
        GatewayMetrics metrics = new GatewayMetrics(Metrics.globalRegistry());
        JobSubmission submission = new JobSubmission(new UploadReceiver(blobs, 1 << 20), blobs, jobs,
                new dev.mp3conv.server.jobs.JobPublisher(queue, jobs),
                new dev.mp3conv.server.jobs.StorageQuota(mongo.mongo(), jobs, Long.MAX_VALUE, Duration.ofDays(1)),
                metrics);
        return new TusUploads(new UploadRepository(mongo.mongo(), Clock.systemUTC()), blobs, submission, quota,
                new TusConfig(1 << 20, Long.MAX_VALUE, Duration.ofHours(1), List.of("*"), false));
    }

    @Test
    void theQuotaSeesTheDeclaredLengthAndEveryPatchAndCanRefuseEither() {
        TusUploads uploads = uploads(1000);
        assertThatThrownBy(() -> uploads.create(ALICE, 1001, Map.of())).isInstanceOf(ProblemException.class)
                .hasMessage("over your quota");
        var upload = uploads.create(ALICE, 1000, Map.of("filename", "q.mp4"));
        String id = upload.job().id();
        uploads.patch(ALICE, id, 0, Optional.of(600L), Optional.empty(), new ByteArrayInputStream(new byte[600]));
        assertThat(asked).containsExactly("create u-alice 1001", "create u-alice 1000", "append 0 600");
        var done = uploads.patch(ALICE, id, 600, Optional.empty(), Optional.empty(),
                new ByteArrayInputStream(new byte[400]));
        assertThat(asked.getLast()).as("without Content-Length: what remains").isEqualTo("append 600 400");
        assertThat(done.finished()).isTrue();
    }
}
