package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.UploadRepository;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;

/**
 * A multipart upload converted while its file part arrives (issue 24), the multipart twin of a streamed tus
 * upload: once the part's first bytes chose streaming ({@link UploadStreaming#readHead}) the job exists, UPLOADING
 * with the choice, its file goes into a resumable blob write that a converter follows over the store
 * ({@link BlobStore#openGrowing}), and the job is published at once; a converter claims it as it claims a tus
 * upload ({@link dev.mp3conv.server.jobs.StreamClaims}).
 *
 * <p>The part's size is known only when it ends: the job's size is 0 until then (so deleting the UPLOADING job
 * gives back no quota that the request's own reservation holds), and its upload progress the share of the
 * request's {@code Content-Length} received (0 for a chunked body, which has no total). The
 * follower learns the end when the blob is completed, at the part's end; the job leaves UPLOADING only when the
 * whole body was read, with the form fields after the file part. The request holds the job as a PATCH holds a
 * tus upload (the lock, renewed while bytes arrive), so a gateway that dies mid-body leaves a job that the upload
 * expiry deletes. A body that fails (the client gone, a limit, a malformed rest) deletes the job and its blob:
 * the converter's ffmpeg is stopped and nothing stays, since a multipart upload cannot be resumed.
 */
final class StreamedMultipart {
    private static final System.Logger LOG = System.getLogger(StreamedMultipart.class.getName());
    /** How often a receiving request renews its hold and records the upload's progress. */
    static final java.time.Duration RENEW_EVERY = java.time.Duration.ofSeconds(1);
    private final UploadRepository uploads;
    private final BlobStore blobs;
    private final JobPublisher publisher;

    StreamedMultipart(UploadRepository uploads, BlobStore blobs, JobPublisher publisher) {
        this.uploads = uploads;
        this.blobs = blobs;
        this.publisher = publisher;
    }

    /**
     * Creates the UPLOADING job of a file part chosen for streaming and publishes it.
     *
     * @param jobWith  the job as the fields before the file part ask it (state UPLOADING, size 0, its streaming
     *                 choice), for the blob id given
     * @param metadata what the blob will be
     * @param expected the request's {@code Content-Length}, the total the upload's progress is a share of; 0
     *                 when unknown
     * @return the receipt the rest of the part goes through
     * @throws IOException when the store cannot start the blob
     */
    Receiving start(Function<String, Job> jobWith, BlobMetadata metadata, long expected) throws IOException {
        String fid = blobs.createResumable(metadata);
        String token = UUID.randomUUID().toString();
        Job uploading;
        try {
            uploading = jobWith.apply(fid);
            uploads.insertReceiving(uploading, token, TusUploads.LOCK_LEASE);
        } catch (RuntimeException e) {
            blobs.deleteResumable(fid);
            throw e;
        }
        UploadStreaming.log(uploading.id(), uploading.streaming());
        publisher.publish(Topic.VIDEO, uploading);
        return new Receiving(uploading, token, expected);
    }

    /**
     * One streamed multipart upload while its request runs. A virtual thread renews the request's hold every
     * {@link #RENEW_EVERY} with the upload's progress, also while the body stalls (until the server's body-idle
     * limit cuts it), so the job shows how far it got; the request's reads only look at a volatile.
     */
    final class Receiving {
        private final Job job;
        private final String token;
        private final long expected;
        private volatile long received;
        private volatile boolean gone;
        private volatile boolean ended;
        private BlobInfo completed;

        private Receiving(Job job, String token, long expected) {
            this.job = job;
            this.token = token;
            this.expected = expected;
        }

        String jobId() {
            return job.id();
        }

        /**
         * Takes the file's progress for the next renewal.
         *
         * @param bytes file bytes so far
         * @return false when the job is gone (deleted meanwhile) or the hold was lost: the body must stop
         */
        boolean renew(long bytes) {
            received = bytes;
            return !gone;
        }

        private void renewWhileReceiving() {
            while (!ended) {
                try {
                    Thread.sleep(RENEW_EVERY.toMillis());
                } catch (InterruptedException e) {
                    // the part ended
                    return;
                }
                double progress = expected > 0 ? Math.min(0.99, (double) received / expected) : 0;
                try {
                    if (!ended && !uploads.renew(job.id(), token, TusUploads.LOCK_LEASE, progress)) {
                        gone = true;
                        return;
                    }
                } catch (RuntimeException e) {
                    // the jobs collection failed: the hold lasts a lease, the next renewal tries again
                    LOG.log(System.Logger.Level.WARNING, "job {0}: cannot renew its upload: {1}", job.id(), e.toString());
                }
            }
        }

        /**
         * Stores the whole file part into the followed blob and completes it at the part's end: from then on
         * the converter reads the rest from the finished blob and knows its length.
         *
         * @param part the file part from its first byte
         * @return the finished blob
         * @throws IOException when the part fails or the store cannot write
         */
        BlobInfo store(InputStream part) throws IOException {
            Thread renewal = Thread.ofVirtual().name("receiving-" + job.id()).start(this::renewWhileReceiving);
            try {
                long length = blobs.append(job.videoFid(), 0, part);
                completed = blobs.completeResumable(job.videoFid(), length);
                return completed;
            } catch (IOException e) {
                // the job deleted while the last bytes went in: its blob went with it, which is not the store's fault
                if (gone || !uploads.renew(job.id(), token, TusUploads.LOCK_LEASE, 0.99)) {
                    throw new UploadSource.UploadGoneException();
                }
                throw e;
            } finally {
                ended = true;
                renewal.interrupt();
            }
        }

        /**
         * The body ended well: the job leaves UPLOADING, CONVERTING when a converter followed it (it completes
         * the job), QUEUED otherwise (published). Form fields after the file part that change its options take
         * the job back from the streaming conversion.
         *
         * @param upload the received upload
         * @param asked  the job as every form field asks it
         * @return the job
         * @throws ProblemException 409 when the job was deleted while its body arrived
         */
        Job finish(UploadReceiver.Received upload, Job asked) {
            Mp3Options started = job.options();
            String takeBack = started.equals(asked.options()) ? null
                    : "form fields after the file part changed its options";
            Optional<Job> finished = uploads.finishReceived(job.id(), token, upload.blob().id(), upload.blob().length(),
                    upload.sha256(), asked, takeBack);
            if (finished.isEmpty()) {
                discard();
                throw ProblemException.conflict("the job was deleted while its file arrived");
            }
            return finished.get();
        }

        /** The body failed: the job goes first (a converter following it stops), then its bytes. */
        void discard() {
            try {
                uploads.delete(job.id(), job.owner());
            } finally {
                if (completed != null) {
                    blobs.delete(completed.id());
                } else {
                    blobs.deleteResumable(job.videoFid());
                }
            }
        }
    }
}
