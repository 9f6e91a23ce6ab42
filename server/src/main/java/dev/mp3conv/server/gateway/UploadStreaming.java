package dev.mp3conv.server.gateway;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.StreamClaims;
import dev.mp3conv.server.jobs.UploadRepository.Upload;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Decides, while a tus upload's first bytes arrive, whether it is converted as it arrives (issue 24): the
 * first PATCH body is watched as the store reads it, {@link ContainerSniffer} judges the bytes, and the choice
 * is recorded in the job ({@link StreamClaims#decide}) and logged; a streamable upload is published on the
 * {@code video} queue at once, so a converter claims it while the rest still arrives. The choice is made on a
 * virtual thread of its own: the PATCH never waits for the jobs collection or the queue.
 */
final class UploadStreaming {
    private static final System.Logger LOG = System.getLogger(UploadStreaming.class.getName());

    private final StreamClaims claims;
    private final BlobStore blobs;
    private final JobSubmission submission;
    private final boolean enabled;

    UploadStreaming(StreamClaims claims, BlobStore blobs, JobSubmission submission, boolean enabled) {
        this.claims = claims;
        this.blobs = blobs;
        this.submission = submission;
        this.enabled = enabled;
    }

    /**
     * The PATCH body to store: watched until the choice is made, the body itself once it was.
     *
     * @param upload the upload at the PATCH's offset
     * @param body   the request body
     * @return what the store reads
     */
    InputStream watch(Upload upload, InputStream body) {
        if (upload.job().streaming() != null || upload.offset() >= ContainerSniffer.WINDOW) {
            return body;
        }
        if (!enabled) {
            decideLater(upload.job(), new JobStreaming(JobStreaming.AFTER_UPLOAD, "unknown",
                    "converting while uploading is turned off here", null));
            return body;
        }
        if (upload.job().audioOptions().containsKey(Mp3Options.LOUDNESS_FIELD)
                || upload.job().audioOptions().containsKey(Mp3Options.COVER_FIELD)) {
            // loudness is measured over the whole input before the encode, a cover frame sits at 10% of it
            decideLater(upload.job(), new JobStreaming(JobStreaming.AFTER_UPLOAD, "unknown",
                    "loudness and cover need the whole input first", null));
            return body;
        }
        int window = (int) Math.min(ContainerSniffer.WINDOW, upload.length());
        byte[] head = new byte[window];
        int held = 0;
        if (upload.offset() > 0) {
            // an earlier PATCH stopped before the choice: its bytes are in the store
            try (InputStream stored = blobs.openGrowing(upload.job().videoFid(), 0)) {
                held = stored.readNBytes(head, 0, (int) upload.offset());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "upload {0}: cannot read its first bytes back, converted after it: {1}",
                        upload.job().id(), e.toString());
                return body;
            }
        }
        return new Watched(body, upload.job(), head, held);
    }

    private void decideLater(Job job, JobStreaming choice) {
        Thread.ofVirtual().name("stream-choice-" + job.id()).start(() -> decide(job, choice));
    }

    private void decide(Job job, JobStreaming choice) {
        try {
            claims.decide(job.id(), choice).ifPresent(recorded -> {
                JobStreaming made = recorded.streaming();
                LOG.log(System.Logger.Level.INFO, "upload {0}: {1} ({2}: {3})", job.id(),
                        JobStreaming.STREAMING.equals(made.mode()) ? "converted while it arrives" : "converted after the upload",
                        made.container(), made.reason());
                if (JobStreaming.STREAMING.equals(made.mode())) {
                    submission.publish(recorded);
                }
            });
        } catch (RuntimeException e) {
            // the upload goes on and converts after its last byte, as without this
            LOG.log(System.Logger.Level.WARNING, "upload {0}: streaming choice not recorded: {1}", job.id(), e.toString());
        }
    }

    /** Copies the first bytes aside as the store reads them, and judges them after each read. */
    private final class Watched extends FilterInputStream {
        private final Job job;
        private final byte[] head;
        private final long length;
        private int held;
        private boolean decided;

        Watched(InputStream body, Job job, byte[] head, int held) {
            super(body);
            this.job = job;
            this.head = head;
            this.held = held;
            this.length = job.size();
            judge();
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                take(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                take(b, off, n);
            }
            return n;
        }

        private void take(byte[] b, int off, int n) {
            if (decided || held >= head.length) {
                return;
            }
            int copy = Math.min(n, head.length - held);
            System.arraycopy(b, off, head, held, copy);
            held += copy;
            judge();
        }

        private void judge() {
            if (decided) {
                return;
            }
            ContainerSniffer.Verdict verdict = ContainerSniffer.sniff(head, held, held >= length);
            if (!verdict.decided()) {
                return;
            }
            decided = true;
            decideLater(job, new JobStreaming(verdict.outcome() == ContainerSniffer.Outcome.STREAM
                    ? JobStreaming.STREAMING : JobStreaming.AFTER_UPLOAD, verdict.container(), verdict.reason(), null));
            // the copy is no longer needed
            Arrays.fill(head, (byte) 0);
        }
    }
}
