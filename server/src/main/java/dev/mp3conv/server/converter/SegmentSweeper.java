package dev.mp3conv.server.converter;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.PeriodicSweep;
import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.storage.BlobStore;

/**
 * The segments' outbox sweeper, run by every converter (duplicates are harmless: workers claim
 * first): republishes units whose lease ran out (their converter died: only that segment is done
 * again), units whose message was never confirmed or never taken, and stitch steps whose promotion
 * was lost with a process; deletes the units and segment blobs of jobs that are finished, deleted,
 * or no longer segmented (a job requeued after a restart of the embedded server plans again).
 */
final class SegmentSweeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SegmentSweeper.class.getName());
    private static final int BATCH = 500;

    private final JobRepository jobs;
    private final SegmentRepository segments;
    private final BlobStore blobs;
    private final JobPublisher publisher;
    private final Duration grace;
    private final Duration stale;
    private PeriodicSweep timer;

    SegmentSweeper(JobRepository jobs, SegmentRepository segments, BlobStore blobs, JobPublisher publisher, Duration grace,
                   Duration stale) {
        this.jobs = jobs;
        this.segments = segments;
        this.blobs = blobs;
        this.publisher = publisher;
        this.grace = grace;
        this.stale = stale;
    }

    /**
     * One sweep.
     *
     * @return units republished
     */
    int sweep() {
        Instant now = jobs.now();
        Instant before = now.minus(grace);
        int count = 0;
        for (Segment unit : segments.expiredLeases(now, BATCH)) {
            if (segments.release(unit, unit.leaseOwner())) {
                LOG.log(System.Logger.Level.INFO, "job {0} segment {1}: lease of {2} expired, requeued", unit.jobId(),
                        unit.index(), unit.leaseOwner());
                count += republish(unit) ? 1 : 0;
            }
        }
        for (Segment unit : segments.queuedUntaken(before, now.minus(stale), BATCH)) {
            count += republish(unit) ? 1 : 0;
        }
        for (Segment stitch : segments.waitingStitches(before, BATCH)) {
            if (segments.promoteStitch(stitch.jobId(), stitch.count())) {
                count += republish(stitch) ? 1 : 0;
            }
        }
        for (String jobId : segments.jobIds(before, BATCH)) {
            Optional<Job> job = jobs.find(jobId);
            if (job.isEmpty() || !SegmentRepository.segmented(job.get())) {
                for (Segment unit : segments.ofJob(jobId)) {
                    if (unit.blobId() != null) {
                        blobs.delete(unit.blobId());
                    }
                }
                segments.deleteOfJob(jobId);
                LOG.log(System.Logger.Level.DEBUG, "job {0}: segments of a job no longer segmented deleted", jobId);
            }
        }
        return count;
    }

    private boolean republish(Segment unit) {
        Optional<Job> job = jobs.find(unit.jobId()).filter(SegmentRepository::segmented);
        if (job.isEmpty()) {
            return false;
        }
        return publisher.publishSegment(job.get(), unit.index());
    }

    synchronized void start(Duration interval) {
        timer = PeriodicSweep.start("segment-sweeper", interval, this::sweep);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.close();
        }
    }
}
