package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.StreamClaims;
import dev.mp3conv.server.queue.Topic;

/**
 * Conversions that read an upload while it still arrives (issue 24), beside {@link ConversionWorker}'s usual
 * ones: the claim of an UPLOADING job that its gateway chose for streaming ({@link StreamClaims}), the input
 * that follows the growing blob ({@link LoopbackMediaServer#follow}), the lease renewed with the conversion's
 * progress while the upload goes on, and the hand-over to the usual path: after the last byte the job is
 * CONVERTING under the same lease and is judged and completed as any, once what ffmpeg read is shown to be
 * the finished upload (its SHA-256). Anything that goes wrong while streaming (the upload pauses past
 * {@code converter.stream-idle}, the time budget runs out, ffmpeg cannot read it as a stream) gives the
 * streaming up: the slot is freed and the job converts after the upload, as without this. A terminated or
 * expired upload stops ffmpeg and leaves nothing. A streamed job is one ffmpeg run: never segments.
 */
final class StreamedConversions {
    private static final System.Logger LOG = System.getLogger(StreamedConversions.class.getName());
    /** How long the converter waits, after ffmpeg read the last byte, for the gateway to record the upload's end. */
    private static final Duration UPLOAD_END_WAIT = Duration.ofSeconds(30);
    private static final long UPLOAD_END_POLL_MS = 20;

    private final ConverterSettings settings;
    private final Duration idle;
    private final StreamClaims claims;
    private final JobRepository jobs;
    private final JobPublisher publisher;
    private final LoopbackMediaServer loopback;
    private final ConversionMetrics metrics;
    private final Map<RunningConversion, Streamed> running = new ConcurrentHashMap<>();

    StreamedConversions(ConverterSettings settings, Duration idle, StreamClaims claims,
                        JobRepository jobs, JobPublisher publisher, LoopbackMediaServer loopback, ConversionMetrics metrics) {
        this.settings = settings;
        this.idle = idle;
        this.claims = claims;
        this.jobs = jobs;
        this.publisher = publisher;
        this.loopback = loopback;
        this.metrics = metrics;
    }

    /** One streamed conversion's state. */
    private static final class Streamed {
        private volatile boolean uploading = true;
        private volatile String reason;
        private volatile GrowingUpload upload;
    }

    /**
     * Claims a job that is still uploading and was chosen for streaming.
     *
     * @param message the {@code video} message
     * @param owner   the claim's lease owner ({@link ClaimOwner})
     * @return the claimed job (state UPLOADING), empty when it is not claimable for streaming
     */
    Optional<Job> claim(JobMessage message, String owner) {
        Optional<Job> claimed = claims.claim(message.jobId(), owner, settings.lease());
        claimed.ifPresent(job -> LOG.log(System.Logger.Level.INFO, "job {0}: converting while the upload arrives ({1})",
                job.id(), job.streaming() == null ? "" : job.streaming().container()));
        return claimed;
    }

    /**
     * Gives a claim back so that it can be claimed again (the owner's turn has not come yet).
     *
     * @param job   the claimed job
     * @param owner the claim's lease owner
     * @return whether it was given back
     */
    boolean unclaim(Job job, String owner) {
        return claims.unclaim(job.id(), owner);
    }

    /**
     * Starts tracking a conversion of a claimed UPLOADING job.
     *
     * @param conversion the conversion
     */
    void started(RunningConversion conversion) {
        running.put(conversion, new Streamed());
    }

    /**
     * Whether the conversion reads an upload as it arrives.
     *
     * @param conversion the conversion
     * @return true for a streamed one
     */
    boolean streamed(RunningConversion conversion) {
        return running.containsKey(conversion);
    }

    /**
     * Stops tracking the conversion.
     *
     * @param conversion the conversion
     */
    void ended(RunningConversion conversion) {
        running.remove(conversion);
    }

    /**
     * The input that follows the upload: a paused upload or a deleted one stops the conversion.
     *
     * @param conversion the conversion
     * @return where ffmpeg reads
     * @throws IOException when the loopback server cannot start
     */
    JobInput input(RunningConversion conversion) throws IOException {
        Streamed state = running.get(conversion);
        LoopbackMediaServer.Followed entry = loopback.follow(conversion.job().videoFid(), idle, why -> {
            if (why == GrowingUpload.GiveUp.IDLE) {
                state.reason = "the upload paused for more than " + idle.toSeconds() + " s";
                conversion.stop(RunningConversion.Stop.STREAM_ABANDONED);
            } else {
                conversion.stop(RunningConversion.Stop.UPLOAD_GONE);
            }
        });
        state.upload = entry.upload();
        return JobInput.following(entry);
    }

    /**
     * The lease renewal of a streamed conversion while its upload goes on.
     *
     * @param conversion the conversion
     * @return true when handled here; false when the job is no longer uploading and the usual renewal applies
     */
    boolean tick(RunningConversion conversion) {
        Streamed state = running.get(conversion);
        if (state == null || !state.uploading) {
            return false;
        }
        if (conversion.pastDeadline()) {
            // an upload slower than the budget must not hold a slot: convert it afterwards, under its own budget
            state.reason = "the upload took longer than the conversion's time budget of "
                    + conversion.budget().toSeconds() + " s";
            conversion.stop(RunningConversion.Stop.STREAM_ABANDONED);
            return true;
        }
        try {
            if (claims.renew(conversion.job().id(), conversion.owner(), settings.lease(), progress(conversion, state))) {
                return true;
            }
            Optional<Job> now = claims.find(conversion.job().id());
            if (now.filter(job -> heldHere(conversion, job, JobState.CONVERTING)).isPresent()) {
                state.uploading = false;
                return false;
            }
            conversion.stop(now.isEmpty() ? RunningConversion.Stop.UPLOAD_GONE : RunningConversion.Stop.LEASE_LOST);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0}: cannot renew the streaming claim: {1}", conversion.job().id(),
                    e.toString());
        }
        return true;
    }

    /**
     * The conversion's progress while the upload arrives: ffmpeg 5.1 reports its output position only while it has
     * input to convert (its main loop blocks on the read meanwhile), so the share of the upload it has read stands in
     * when that is further; it converts what it reads within a fraction of a second. A multipart upload's size is
     * known only at its end (the job's size is 0 until then): the share is then the upload's own progress as its
     * gateway records it (bytes received of the body's declared length), which the follower keeps up with.
     */
    private double progress(RunningConversion conversion, Streamed state) {
        GrowingUpload upload = state.upload;
        long size = conversion.job().size();
        double read;
        if (upload == null) {
            read = 0;
        } else if (size > 0) {
            read = Math.min(0.99, (double) upload.served() / size);
        } else {
            read = upload.served() > 0 ? claims.find(conversion.job().id()).map(Job::progress).orElse(0.0) : 0;
        }
        return Math.max(conversion.progress(), Math.min(0.99, read));
    }

    /**
     * After ffmpeg ended: waits for the upload's end to be recorded (the job CONVERTING under this worker's
     * lease) and checks that ffmpeg read the finished upload's very bytes; records the duration, which could not
     * be written while the job was UPLOADING. A job taken back from streaming as its upload ended stops the
     * conversion instead ({@link RunningConversion.Stop#LEASE_LOST}): its MP3 is not the job's.
     *
     * @param conversion the conversion
     * @param seconds    the input's duration from ffmpeg's summary
     * @return the job as uploaded, for the usual judgement
     * @throws IOException          when the upload did not end as read (the caller gives streaming up)
     * @throws InterruptedException when interrupted
     */
    Job awaitUploaded(RunningConversion conversion, OptionalDouble seconds) throws IOException, InterruptedException {
        Streamed state = running.get(conversion);
        String id = conversion.job().id();
        long deadline = System.nanoTime() + UPLOAD_END_WAIT.toNanos();
        Optional<Job> job = claims.find(id);
        while (job.filter(j -> j.state() == JobState.UPLOADING).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(UPLOAD_END_POLL_MS);
            job = claims.find(id);
        }
        if (job.isEmpty()) {
            conversion.stop(RunningConversion.Stop.UPLOAD_GONE);
            throw new IOException("the upload was deleted");
        }
        if (job.get().streaming() == null || !JobStreaming.STREAMING.equals(job.get().streaming().mode())) {
            // taken back from streaming as its upload ended (form fields after a multipart file part changed its
            // options): it converts again from the stored upload, perhaps already under another claim (the lease
            // owner tells that too), and the mode tells it even before that claim
            conversion.stop(RunningConversion.Stop.LEASE_LOST);
            return job.get();
        }
        if (!heldHere(conversion, job.get(), JobState.CONVERTING)) {
            throw new IOException("the upload ended as " + job.get().state() + " without this converter's claim");
        }
        state.uploading = false;
        if (state.upload == null || !state.upload.matches(job.get().sha256())) {
            throw new IOException("the bytes read while the upload arrived are not the finished upload's");
        }
        seconds.ifPresent(s -> jobs.recordDuration(id, conversion.owner(), s));
        return job.get();
    }

    /**
     * Gives streaming up: the slot is free and the job converts after its upload (or, when every byte is there
     * already, at once on the usual path).
     *
     * @param conversion the conversion
     * @param fallback   why, when the conversion did not say
     */
    void giveUp(RunningConversion conversion, String fallback) {
        Job job = conversion.job();
        String reason = Optional.ofNullable(running.get(conversion)).map(s -> s.reason).orElse(fallback);
        metrics.outcome("stream-abandoned");
        if (claims.abandon(job.id(), conversion.owner(), reason)) {
            LOG.log(System.Logger.Level.INFO, "job {0}: streaming given up ({1}); it converts after the upload",
                    job.id(), reason);
            return;
        }
        if (jobs.release(job.id(), conversion.owner())) {
            claims.convertedAfterUpload(job.id(), reason);
            LOG.log(System.Logger.Level.INFO, "job {0}: streaming given up ({1}); converted again from the stored upload",
                    job.id(), reason);
            republish(job);
        }
    }

    /**
     * On shutdown: the claim goes back (still streamable for another converter) and the job is published again.
     *
     * @param conversion the conversion
     */
    void release(RunningConversion conversion) {
        Job job = conversion.job();
        if (claims.unclaim(job.id(), conversion.owner()) || jobs.release(job.id(), conversion.owner())) {
            LOG.log(System.Logger.Level.INFO, "job {0}: released on shutdown", job.id());
            metrics.outcome("released");
            republish(job);
        }
    }

    /** Whether the job is in {@code state} under this conversion's claim (not another slot's of this process). */
    private static boolean heldHere(RunningConversion conversion, Job job, JobState state) {
        return job.state() == state && conversion.owner().equals(job.leaseOwner());
    }

    private void republish(Job job) {
        // a publish the queue does not confirm is logged there and made again by the sweeper
        publisher.publish(Topic.VIDEO, job);
    }
}
