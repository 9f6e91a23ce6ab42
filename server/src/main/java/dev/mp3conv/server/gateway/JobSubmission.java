package dev.mp3conv.server.gateway;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.Retention;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import io.helidon.webserver.http.ServerRequest;
import org.bson.types.ObjectId;

/**
 * Turns a multipart upload into a job: blob first, then the job record, then the {@code video} message.
 * When the queue does not confirm the message the job stays QUEUED and unpublished and the sweeper
 * republishes it, so the upload is never lost and the client still gets its job. A file part whose first bytes
 * show a container that can be converted while it arrives (issue 24) is the exception: its job exists, UPLOADING,
 * from then on, and a converter follows it ({@link StreamedMultipart}); the choice is recorded in every job.
 */
final class JobSubmission {
    private final UploadReceiver receiver;
    private final BlobStore blobs;
    private final JobRepository jobs;
    private final JobPublisher publisher;
    private final StorageQuota quota;
    private final GatewayMetrics metrics;
    private final StreamedMultipart streamed;

    JobSubmission(UploadReceiver receiver, BlobStore blobs, JobRepository jobs, JobPublisher publisher, StorageQuota quota,
                  GatewayMetrics metrics) {
        this(receiver, blobs, jobs, publisher, quota, metrics, null);
    }

    /**
     * With {@code streamed}, a file part chosen for streaming by the receiver's first bytes becomes a job at once.
     */
    JobSubmission(UploadReceiver receiver, BlobStore blobs, JobRepository jobs, JobPublisher publisher, StorageQuota quota,
                  GatewayMetrics metrics, StreamedMultipart streamed) {
        this.streamed = streamed;
        this.receiver = receiver;
        this.blobs = blobs;
        this.jobs = jobs;
        this.publisher = publisher;
        this.quota = quota;
        this.metrics = metrics;
    }

    /**
     * Stores the upload of a request and queues its conversion.
     *
     * @param req   multipart request
     * @param owner the caller
     * @param which how the file part is recognised
     * @return the new job: QUEUED, or CONVERTING when a converter read it while it arrived
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
        if (job.state() == dev.mp3conv.model.JobState.QUEUED) {
            publish(job);
        }
        return job;
    }

    /**
     * The encoding options of an upload's form fields or tus metadata, by the one shared rule.
     *
     * @param fields form fields or metadata
     * @return the options
     * @throws ProblemException 400 for a bad value
     */
    static Mp3Options options(Map<String, String> fields) {
        try {
            return Mp3Options.fromFields(fields);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    private static Map<String, String> seedFields(Map<String, String> fields) {
        Map<String, String> seed = new java.util.HashMap<>();
        for (String name : java.util.List.of(Mp3Options.BITRATE_FIELD, Mp3Options.QUALITY_FIELD)) {
            if (fields.containsKey(name)) {
                seed.put(name, fields.get(name));
            }
        }
        return seed;
    }

    /** The form fields the job takes its options from: the seed's /upload stays as the course system knew it. */
    private static Map<String, String> optionFields(UploadReceiver.FilePart which, Map<String, String> fields) {
        return which == UploadReceiver.FilePart.ANY_FILE ? seedFields(fields) : fields;
    }

    /**
     * Blob first, then the job record; the blob is deleted when the record cannot be written. A streamed part's
     * job was made when its first bytes arrived and leaves UPLOADING here.
     */
    private Job store(ServerRequest req, Principal owner, UploadReceiver.FilePart which,
                      StorageQuota.Reservation reservation) {
        String jobId = new ObjectId().toHexString();
        UploadReceiver.Received upload = receiver.receive(req, owner.userId(), jobId, which, reservation,
                streamStart(req, owner, jobId, which));
        try {
            Mp3Options options = options(optionFields(which, upload.fields()));
            Job job = Job.queuedWith(jobId, owner.userId(), owner.email(), upload.filename(), upload.contentType(),
                    upload.blob().length(), upload.sha256(), upload.blob().id(), options,
                    Retention.parseKeep(upload.fields().get("keep")),
                    // millisecond precision is what the store keeps, so this answer matches later reads
                    jobs.now().truncatedTo(ChronoUnit.MILLIS)).withStreaming(upload.choice());
            if (upload.receiving() != null) {
                return upload.receiving().finish(upload, job);
            }
            jobs.insert(job);
            return job;
        } catch (RuntimeException e) {
            upload.discard(blobs);
            throw e;
        }
    }

    /** How a file part chosen for streaming becomes its UPLOADING job; null when nothing streams here. */
    private UploadReceiver.StreamStart streamStart(ServerRequest req, Principal owner, String jobId,
                                                   UploadReceiver.FilePart which) {
        if (streamed == null) {
            return null;
        }
        // the part's size is known at its end only: the upload's progress is a share of the body's declared length
        long expected = Math.max(0, req.headers().contentLength().orElse(0L));
        return new UploadReceiver.StreamStart() {
            @Override
            public Map<String, String> audioFields(Map<String, String> fieldsBefore) {
                return options(optionFields(which, fieldsBefore)).fields();
            }

            @Override
            public StreamedMultipart.Receiving start(String filename, String contentType,
                                                     Map<String, String> fieldsBefore,
                                                     dev.mp3conv.model.JobStreaming choice) throws java.io.IOException {
                Mp3Options options = options(optionFields(which, fieldsBefore));
                Duration keep = Retention.parseKeep(fieldsBefore.get("keep"));
                // size 0 until the part ends: nothing is counted twice (the request's reservation holds its bytes)
                return streamed.start(fid -> Job.uploadingWith(jobId, owner.userId(), owner.email(), filename,
                                contentType, 0, fid, options, keep, jobs.now().truncatedTo(ChronoUnit.MILLIS))
                        .withStreaming(choice), new BlobMetadata(owner.userId(), jobId, contentType, filename), expected);
            }
        };
    }

    /**
     * Publishes a stored QUEUED job's {@code video} message and records the confirm; when the queue is
     * down the sweeper publishes it later.
     *
     * @param job the job
     */
    void publish(Job job) {
        publisher.publish(Topic.VIDEO, job);
    }
}
