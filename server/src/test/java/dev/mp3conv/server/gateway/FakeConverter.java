package dev.mp3conv.server.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;

/** Stands in for the converter role: claims a job, and finishes it with given MP3 bytes. */
final class FakeConverter {
    private static final String WORKER = "fake-converter";

    private final Backend backend;

    FakeConverter(Backend backend) {
        this.backend = backend;
    }

    void claim(String jobId) {
        backend.jobs().claim(jobId, WORKER, Duration.ofMinutes(5)).orElseThrow();
    }

    void progress(String jobId, double progress) {
        if (!backend.jobs().renew(jobId, WORKER, Duration.ofMinutes(5), progress)) {
            throw new AssertionError("lost the lease of " + jobId);
        }
    }

    Job complete(String jobId, byte[] mp3) throws IOException {
        Job job = backend.jobs().find(jobId).orElseThrow();
        BlobInfo blob = backend.blobs().write(new BlobMetadata(job.owner(), jobId, "audio/mpeg", "out.mp3"),
                new ByteArrayInputStream(mp3));
        // counted against the owner's storage as the converter role does
        try (var charge = backend.quota().begin(job.owner())) {
            Job done = backend.jobs().complete(jobId, WORKER, blob.id(), blob.length(), GatewayClient.sha256(mp3), "192k").orElseThrow();
            charge.commit(blob.length());
            return done;
        }
    }

    Job convert(String jobId, byte[] mp3) throws IOException {
        claim(jobId);
        return complete(jobId, mp3);
    }
}
