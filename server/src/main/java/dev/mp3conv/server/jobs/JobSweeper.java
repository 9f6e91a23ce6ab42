package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.function.ToIntFunction;

import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;

/**
 * The outbox sweeper: the jobs collection is the source of truth, and this republishes what the
 * queue may not have: QUEUED jobs without a confirmed {@code video} publish, CONVERTING jobs whose
 * lease ran out (their worker died), and finished jobs nobody notified. Republishing is safe because
 * consumers are idempotent (they claim the job first). It also has the blob store delete writes that
 * failed without cleaning up (the store was down, or their process died), and deletes resumable uploads
 * left unfinished past their expiry.
 */
public final class JobSweeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JobSweeper.class.getName());
    private static final int BATCH = 500;

    private final JobRepository jobs;
    private final JobPublisher publisher;
    private final Duration grace;
    private final Duration stale;
    private final ToIntFunction<Instant> abandonedWrites;
    /** Retention; null for a sweeper that only republishes. */
    private final ExpirySweep expiry;
    private final ToIntFunction<Instant> expiredUploads;
    private PeriodicSweep timer;

    /**
     * New sweeper.
     *
     * @param jobs  jobs collection
     * @param queue queue to republish to
     * @param grace how long a job may stay unpublished before it is republished
     * @param stale how long a published message may go untaken before it is published again (it was
     *              lost after its confirm); each job is republished at most once per this period
     */
    public JobSweeper(JobRepository jobs, JobQueue queue, Duration grace, Duration stale) {
        this(jobs, queue, grace, stale, before -> 0);
    }

    /**
     * New sweeper that also deletes abandoned blob writes.
     *
     * @param jobs            jobs collection
     * @param queue           queue to republish to
     * @param grace           how long a job may stay unpublished before it is republished
     * @param stale           how long a published message may go untaken before it is published again,
     *                        and a blob write idle before it counts as abandoned (long, so a client that
     *                        stalls mid-upload is not cut off by the janitor)
     * @param abandonedWrites deletes blob writes idle since before the instant it is given (e.g.
     *                        {@code BlobStore::deleteAbandonedWrites}), returns how many
     */
    public JobSweeper(JobRepository jobs, JobQueue queue, Duration grace, Duration stale,
                      ToIntFunction<Instant> abandonedWrites) {
        this(jobs, queue, grace, stale, abandonedWrites, now -> 0, null);
    }

    /**
     * New sweeper that also deletes abandoned blob writes and expired resumable uploads.
     *
     * @param jobs            jobs collection
     * @param queue           queue to republish to
     * @param grace           how long a job may stay unpublished before it is republished
     * @param stale           how long a published message may go untaken before it is published again
     * @param abandonedWrites deletes blob writes idle since before the instant it is given, returns how many
     * @param expiredUploads  deletes unfinished uploads expired before the instant it is given (e.g.
     *                        {@code UploadExpiry::deleteExpired}), returns how many
     */
    public JobSweeper(JobRepository jobs, JobQueue queue, Duration grace, Duration stale,
                      ToIntFunction<Instant> abandonedWrites, ToIntFunction<Instant> expiredUploads) {
        this(jobs, queue, grace, stale, abandonedWrites, expiredUploads, null);
    }

    /**
     * New sweeper that also applies retention (expired videos and jobs, orphan blobs, storage counts).
     *
     * @param jobs            jobs collection
     * @param queue           queue to republish to
     * @param grace           how long a job may stay unpublished before it is republished
     * @param stale           how long a published message may go untaken before it is published again
     * @param abandonedWrites deletes blob writes idle since before the instant it is given, returns how many
     * @param expiry          the retention sweep, run after the republishing
     */
    public JobSweeper(JobRepository jobs, JobQueue queue, Duration grace, Duration stale,
                      ToIntFunction<Instant> abandonedWrites, ExpirySweep expiry) {
        this(jobs, queue, grace, stale, abandonedWrites, now -> 0, expiry);
    }

    /**
     * New sweeper with everything: republishing, abandoned writes, expired uploads and retention.
     *
     * @param jobs            jobs collection
     * @param queue           queue to republish to
     * @param grace           how long a job may stay unpublished before it is republished
     * @param stale           see {@link #JobSweeper(JobRepository, JobQueue, Duration, Duration, ToIntFunction)}
     * @param abandonedWrites deletes blob writes idle since before the instant it is given
     * @param expiredUploads  deletes unfinished uploads expired before the instant it is given (e.g.
     *                        {@code UploadExpiry::deleteExpired}), returns how many
     * @param expiry          the retention sweep, run after the republishing, or null
     */
    public JobSweeper(JobRepository jobs, JobQueue queue, Duration grace, Duration stale,
                      ToIntFunction<Instant> abandonedWrites, ToIntFunction<Instant> expiredUploads,
                      ExpirySweep expiry) {
        this.expiredUploads = expiredUploads;
        this.jobs = jobs;
        this.publisher = new JobPublisher(queue, jobs);
        this.grace = grace;
        this.stale = stale;
        this.abandonedWrites = abandonedWrites;
        this.expiry = expiry;
    }

    /**
     * At start with the in-process queue, whose messages died with the previous process: every
     * unfinished job is republished, and CONVERTING jobs go back to QUEUED (no other process can hold
     * their lease: the embedded store belongs to this process).
     *
     * @return number of messages republished
     */
    public int recoverAfterRestart() {
        Instant now = jobs.now();
        int count = 0;
        for (Job job : jobs.converting(BATCH)) {
            jobs.release(job.id(), job.leaseOwner());
        }
        for (Job job : jobs.queued(BATCH)) {
            count += publisher.publish(Topic.VIDEO, job) ? 1 : 0;
        }
        for (Job job : jobs.unnotified(now.plusSeconds(1), true, BATCH)) {
            count += publisher.publish(Topic.MP3, job) ? 1 : 0;
        }
        if (count > 0) {
            LOG.log(System.Logger.Level.INFO, "recovered {0} unfinished job message(s) from the jobs collection", count);
        }
        return count;
    }

    /**
     * One sweep.
     *
     * @return number of messages republished
     */
    public int sweep() {
        Instant now = jobs.now();
        Instant before = now.minus(grace);
        int count = 0;
        for (Job job : jobs.expiredLeases(now, BATCH)) {
            if (jobs.release(job.id(), job.leaseOwner())) {
                LOG.log(System.Logger.Level.INFO, "job {0}: lease of {1} expired, requeued", job.id(), job.leaseOwner());
                count += publisher.publish(Topic.VIDEO, job) ? 1 : 0;
            }
        }
        for (Job job : jobs.queuedUnpublished(before, BATCH)) {
            count += publisher.publish(Topic.VIDEO, job) ? 1 : 0;
        }
        for (Job job : jobs.unnotified(before, false, BATCH)) {
            count += publisher.publish(Topic.MP3, job) ? 1 : 0;
        }
        // a confirmed message can still be lost (dead-lettered while the store was down, a purged queue):
        // publishing again is safe, consumers claim first, and the new publish time spaces the retries
        Instant staleBefore = now.minus(stale);
        for (Job job : jobs.queuedStale(staleBefore, BATCH)) {
            count += publisher.publish(Topic.VIDEO, job) ? 1 : 0;
        }
        for (Job job : jobs.unnotifiedStale(staleBefore, BATCH)) {
            count += publisher.publish(Topic.MP3, job) ? 1 : 0;
        }
        int expired = expiredUploads.applyAsInt(now);
        if (expired > 0) {
            LOG.log(System.Logger.Level.INFO, "deleted {0} expired unfinished upload(s)", expired);
        }
        int abandoned = abandonedWrites.applyAsInt(staleBefore);
        if (abandoned > 0) {
            LOG.log(System.Logger.Level.INFO, "deleted {0} abandoned blob write(s)", abandoned);
        }
        if (expiry != null) {
            expiry.sweep();
        }
        return count;
    }

    /**
     * Publishes at once, without waiting for the grace, every job whose publish was never
     * confirmed: for the moment the queue comes back after an outage, when the jobs accepted during it
     * would otherwise wait for the next sweep past their grace. A publish still in flight may go out
     * twice; consumers claim first, so that costs one skipped delivery.
     *
     * @return number of messages published
     */
    public int publishUnconfirmed() {
        Instant now = jobs.now().plusSeconds(1);
        int count = 0;
        for (Job job : jobs.queuedUnpublished(now, BATCH)) {
            count += publisher.publish(Topic.VIDEO, job) ? 1 : 0;
        }
        for (Job job : jobs.unnotified(now, false, BATCH)) {
            count += publisher.publish(Topic.MP3, job) ? 1 : 0;
        }
        if (count > 0) {
            LOG.log(System.Logger.Level.INFO, "published {0} message(s) left unconfirmed while the queue was away", count);
        }
        return count;
    }

    /**
     * Sweeps every {@code interval} on a background thread.
     *
     * @param interval time between sweeps
     */
    public synchronized void start(Duration interval) {
        timer = PeriodicSweep.start("job-sweeper", interval, this::sweep);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
