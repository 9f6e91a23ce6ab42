package dev.mp3conv.server.gateway;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.Retention;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobStore;
import io.helidon.webserver.http.ServerRequest;
import org.bson.types.ObjectId;

/**
 * Turns an upload into a job: blob first, then the job record, then the {@code video} message.
 * When the queue does not confirm the message the job stays QUEUED and unpublished and the sweeper
 * republishes it, so the upload is never lost and the client still gets its job.
 */
final class JobSubmission {
    private static final System.Logger LOG = System.getLogger(JobSubmission.class.getName());
    /** MPEG-1 Layer III bitrates that LAME encodes at 44.1/48 kHz. */
    private static final Set<Integer> BITRATES = Set.of(32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320);
    private static final Pattern BITRATE = Pattern.compile("(\\d{2,3})k?", Pattern.CASE_INSENSITIVE);

    private final UploadReceiver receiver;
    private final BlobStore blobs;
    private final JobRepository jobs;
    private final JobQueue queue;
    private final StorageQuota quota;
    private final GatewayMetrics metrics;

    JobSubmission(UploadReceiver receiver, BlobStore blobs, JobRepository jobs, JobQueue queue, StorageQuota quota,
                  GatewayMetrics metrics) {
        this.receiver = receiver;
        this.blobs = blobs;
        this.jobs = jobs;
        this.queue = queue;
        this.quota = quota;
        this.metrics = metrics;
    }

    /**
     * Stores the upload of a request and queues its conversion.
     *
     * @param req   multipart request
     * @param owner the caller
     * @param which how the file part is recognised
     * @return the new QUEUED job
     */
    Job submit(ServerRequest req, Principal owner, UploadReceiver.FilePart which) {
        long start = System.nanoTime();
        Job job;
        // the declared body is reserved before a byte is read (a chunked body grows its reservation as it
        // arrives), so concurrent uploads cannot pass the quota together; released on any failure
        try (StorageQuota.Reservation reservation = quota.reserve(owner.userId(), owner.admin(),
                req.headers().contentLength().orElse(0L))) {
            job = store(req, owner, which, reservation);
            reservation.commit(job.size());
        } catch (RuntimeException e) {
            metrics.rejected();
            throw e;
        }
        metrics.uploaded(job.size(), Duration.ofNanos(System.nanoTime() - start));
        publish(job);
        return job;
    }

    /** Blob first, then the job record; the blob is deleted when the record cannot be written. */
    private Job store(ServerRequest req, Principal owner, UploadReceiver.FilePart which,
                      StorageQuota.Reservation reservation) {
        String jobId = new ObjectId().toHexString();
        UploadReceiver.Received upload = receiver.receive(req, owner.userId(), jobId, which, reservation);
        try {
            Options options = Options.from(upload.fields());
            Job job = Job.queued(jobId, owner.userId(), owner.email(), upload.filename(), upload.contentType(),
                    upload.blob().length(), upload.sha256(), upload.blob().id(), options.bitrate(), options.quality(),
                    options.keep(),
                    // millisecond precision is what the store keeps, so this answer matches later reads
                    jobs.now().truncatedTo(ChronoUnit.MILLIS));
            jobs.insert(job);
            return job;
        } catch (RuntimeException e) {
            blobs.delete(upload.blob().id());
            throw e;
        }
    }

    private void publish(Job job) {
        try {
            queue.publish(Topic.VIDEO, job.message());
        } catch (QueueUnavailableException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0} stored but not queued yet ({1}); the sweeper will queue it",
                    job.id(), e.getMessage());
            return;
        }
        try {
            jobs.markVideoPublished(job.id());
        } catch (RuntimeException e) {
            // the message is out; at worst the sweeper publishes it again and the converter skips the duplicate
            LOG.log(System.Logger.Level.WARNING, "job {0} queued, but its publish was not recorded: {1}",
                    job.id(), e.getMessage());
        }
    }

    /**
     * Conversion options of an upload: a CBR bitrate or a VBR quality, not both, and how long to keep the MP3.
     *
     * @param bitrate e.g. {@code 192k}, or null
     * @param quality 0 (best) to 9, or null
     * @param keep    retention asked ({@link Retention#parseKeep}), or null for the server's
     */
    record Options(String bitrate, Integer quality, Duration keep) {
        static Options from(Map<String, String> fields) {
            String bitrate = blankToNull(fields.get("bitrate"));
            String quality = blankToNull(fields.get("quality"));
            if (bitrate != null && quality != null) {
                throw ProblemException.badRequest("give either bitrate (CBR) or quality (VBR), not both");
            }
            return new Options(bitrate == null ? null : bitrate(bitrate), quality == null ? null : quality(quality),
                    Retention.parseKeep(fields.get("keep")));
        }

        private static String bitrate(String value) {
            Matcher m = BITRATE.matcher(value);
            if (!m.matches() || !BITRATES.contains(Integer.parseInt(m.group(1)))) {
                throw ProblemException.badRequest("bitrate must be one of 32k, 40k, 48k, 56k, 64k, 80k, 96k, 112k, "
                        + "128k, 160k, 192k, 224k, 256k, 320k");
            }
            return m.group(1) + "k";
        }

        private static Integer quality(String value) {
            if (!value.matches("[0-9]")) {
                throw ProblemException.badRequest("quality must be a VBR quality from 0 (best) to 9");
            }
            return Integer.valueOf(value);
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }
    }
}
