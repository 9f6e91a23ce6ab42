package dev.mp3conv.server.gateway;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.StreamClaims;
import dev.mp3conv.server.jobs.UploadRepository.Upload;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Decides, while an upload's first bytes arrive, whether it is converted as it arrives (issue 24), for both ways
 * in: the one rule ({@link #beforeBytes}: off here, or options that need the whole input first; then
 * {@link ContainerSniffer} on the first bytes) and the one log line of the choice.
 *
 * <p>A tus upload's first PATCH body is watched as the store reads it ({@link #watch}), the choice is recorded in
 * the job ({@link StreamClaims#decide}) and a streamable upload is published on the {@code video} queue at once,
 * so a converter claims it while the rest still arrives; that choice is made on a virtual thread of its own, so
 * the PATCH never waits for the jobs collection or the queue. A multipart file part's first bytes are read ahead
 * ({@link #readHead}) before its job exists: {@link StreamedMultipart} then creates the job as it was chosen.
 */
final class UploadStreaming {
    private static final System.Logger LOG = System.getLogger(UploadStreaming.class.getName());

    private final StreamClaims claims;
    private final BlobStore blobs;
    private final JobPublisher publisher;
    private final boolean enabled;

    UploadStreaming(StreamClaims claims, BlobStore blobs, JobPublisher publisher, boolean enabled) {
        this.claims = claims;
        this.blobs = blobs;
        this.publisher = publisher;
        this.enabled = enabled;
    }

    /**
     * The choice an upload's options make before any byte is looked at.
     *
     * @param audioFields the audio options asked besides bitrate and quality, as form fields
     * @return converted after the upload (streaming is off here, or loudness or a cover need the whole input);
     *         empty when the first bytes decide
     */
    Optional<JobStreaming> beforeBytes(Map<String, String> audioFields) {
        if (!enabled) {
            return Optional.of(new JobStreaming(JobStreaming.AFTER_UPLOAD, "unknown",
                    "converting while uploading is turned off here", null));
        }
        if (audioFields.containsKey(Mp3Options.LOUDNESS_FIELD) || audioFields.containsKey(Mp3Options.COVER_FIELD)) {
            // loudness is measured over the whole input before the encode, a cover frame sits at 10% of it
            return Optional.of(new JobStreaming(JobStreaming.AFTER_UPLOAD, "unknown",
                    "loudness and cover need the whole input first", null));
        }
        return Optional.empty();
    }

    /**
     * The choice the first bytes make.
     *
     * @param head     the bytes from offset 0
     * @param held     how many of them are valid
     * @param complete whether these are all the bytes there will be
     * @return the choice, empty while more bytes are needed
     */
    static Optional<JobStreaming> fromBytes(byte[] head, int held, boolean complete) {
        ContainerSniffer.Verdict verdict = ContainerSniffer.sniff(head, held, complete);
        if (!verdict.decided()) {
            return Optional.empty();
        }
        return Optional.of(new JobStreaming(verdict.outcome() == ContainerSniffer.Outcome.STREAM
                ? JobStreaming.STREAMING : JobStreaming.AFTER_UPLOAD, verdict.container(), verdict.reason(), null));
    }

    /**
     * The first bytes of a multipart file part and the choice they make.
     *
     * @param bytes  the bytes read ahead, to be stored before the rest of the part
     * @param choice streaming or after the upload, and why
     */
    record Head(byte[] bytes, JobStreaming choice) {
        /**
         * Whether the part converts while it arrives.
         *
         * @return true for a streaming choice
         */
        boolean streams() {
            return JobStreaming.STREAMING.equals(choice.mode());
        }

        /**
         * The part again: the bytes read ahead, then the rest of it.
         *
         * @param rest the part after them
         * @return the whole part
         */
        InputStream then(InputStream rest) {
            return new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(bytes), rest);
        }
    }

    /**
     * Reads a multipart file part's first bytes until the choice is made: at most {@link ContainerSniffer#WINDOW}
     * bytes, fewer for most containers (Matroska is told from 4), none when the options decide alone.
     *
     * @param audioFields the audio options asked before the file part
     * @param part        the file part (read ahead by what {@link Head#bytes} holds)
     * @return the bytes read and the choice
     * @throws IOException when the part cannot be read
     */
    Head readHead(Map<String, String> audioFields, InputStream part) throws IOException {
        Optional<JobStreaming> early = beforeBytes(audioFields);
        if (early.isPresent()) {
            return new Head(new byte[0], early.get());
        }
        byte[] head = new byte[ContainerSniffer.WINDOW];
        int held = 0;
        while (true) {
            int n = part.read(head, held, head.length - held);
            boolean complete = n == -1;
            if (n > 0) {
                held += n;
            }
            Optional<JobStreaming> choice = fromBytes(head, held, complete || held == head.length);
            if (choice.isPresent()) {
                return new Head(Arrays.copyOf(head, held), choice.get());
            }
        }
    }

    /**
     * Logs an upload's choice, the same way for both ways in.
     *
     * @param jobId  the job
     * @param choice what was chosen
     */
    static void log(String jobId, JobStreaming choice) {
        LOG.log(System.Logger.Level.INFO, "upload {0}: {1} ({2}: {3})", jobId,
                JobStreaming.STREAMING.equals(choice.mode()) ? "converted while it arrives" : "converted after the upload",
                choice.container(), choice.reason());
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
        Optional<JobStreaming> early = beforeBytes(upload.job().audioOptions());
        if (early.isPresent()) {
            decideLater(upload.job(), early.get());
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
                log(job.id(), recorded.streaming());
                if (JobStreaming.STREAMING.equals(recorded.streaming().mode())) {
                    publisher.publish(Topic.VIDEO, recorded);
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
            Optional<JobStreaming> choice = fromBytes(head, held, held >= length);
            if (choice.isEmpty()) {
                return;
            }
            decided = true;
            decideLater(job, choice.get());
            // the copy is no longer needed
            Arrays.fill(head, (byte) 0);
        }
    }
}
