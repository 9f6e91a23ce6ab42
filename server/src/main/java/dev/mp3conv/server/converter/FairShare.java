package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.queue.Topic;

/**
 * One user cannot take every conversion slot while others wait: at most {@code converter.per-user}
 * of a user's jobs convert at once, over all converters. The jobs collection knows who holds live
 * leases, so each converter counts there before it claims, and again after: two converters racing for
 * a user's last slot each see the other's claim unless it landed after their own count, so at most one
 * of them goes ahead (both may give way, and try again shortly), never one too many. A job over the
 * limit is not failed: its message goes back to the queue after a short, jittered delay, while the
 * converter takes the next message (another user's, typically). The segments of a long job are
 * conversions too ({@link SegmentWorker}): their live leases count for the job's owner, and a segment over
 * the limit waits the same way, so a user never has more than {@code per-user} ffmpeg runs at once.
 */
final class FairShare {
    /** Long enough not to spin on a user's backlog, short enough that a freed slot is soon used. */
    static final Duration DELAY = Duration.ofSeconds(2);

    private final JobRepository jobs;
    private final JobPublisher publisher;
    private final int perUser;
    private final ScheduledExecutorService ticker;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private volatile SegmentRepository segments;

    FairShare(JobRepository jobs, JobPublisher publisher, int perUser, ScheduledExecutorService ticker) {
        this.jobs = jobs;
        this.publisher = publisher;
        this.perUser = perUser;
        this.ticker = ticker;
    }

    /**
     * Counts the live leases of segments too (segment-parallel conversion is on).
     *
     * @param units the segments collection
     */
    void countSegments(SegmentRepository units) {
        this.segments = units;
    }

    /**
     * Before claiming: whether the job's owner already has {@code per-user} jobs or segments converting.
     *
     * @param message a delivery's message (of a whole job or of one of its segments)
     * @return true when it must wait (an unknown job does not: the claim then skips it)
     */
    boolean ownerBusy(JobMessage message) {
        return jobs.find(message.jobId()).filter(job -> !job.state().terminal())
                .map(job -> busy(job.owner(), job.id(), message.segment())).orElse(false);
    }

    /**
     * After claiming: whether the owner's other jobs and segments hold {@code per-user} live leases
     * (counted after this claim landed, so of two racing claims the second to count sees the first).
     *
     * @param claimed the job just claimed
     * @return true when the claim must be undone
     */
    boolean overShare(Job claimed) {
        return busy(claimed.owner(), claimed.id(), null);
    }

    /**
     * After claiming a segment: as {@link #overShare(Job)}, leaving this segment out of the count.
     *
     * @param job     the segment's job
     * @param claimed the segment just claimed
     * @return true when the claim must be undone
     */
    boolean overShare(Job job, Segment claimed) {
        return busy(job.owner(), job.id(), claimed.index());
    }

    private boolean busy(String owner, String jobId, Integer segment) {
        // a segmented job holds no lease of its own (its segments do): it is never counted twice
        long whole = jobs.liveLeases(owner, segment == null ? jobId : "");
        if (whole >= perUser) {
            return true;
        }
        SegmentRepository units = segments;
        return units != null && whole + units.liveLeases(owner, jobId, segment) >= perUser;
    }

    /**
     * Puts a message back on the queue after {@link #DELAY} (plus up to half of it, so waiting messages
     * do not all come back at once).
     *
     * @param message the message
     */
    void later(JobMessage message) {
        long delay = DELAY.toMillis() + ThreadLocalRandom.current().nextLong(DELAY.toMillis() / 2 + 1);
        Waiting entry = new Waiting(message);
        waiting.put(key(message), entry);
        entry.future = ticker.schedule(() -> Thread.ofVirtual().name("requeue-" + message.jobId())
                .start(() -> requeue(entry)), delay, TimeUnit.MILLISECONDS);
    }

    /** Publishes every waiting message at once (the converter stops; the queue keeps them). */
    void flush() {
        for (Waiting entry : waiting.values()) {
            if (entry.future == null || entry.future.cancel(false)) {
                requeue(entry);
            }
        }
    }

    private void requeue(Waiting entry) {
        if (!waiting.remove(key(entry.message), entry)) {
            return;
        }
        // the job (or unit) is QUEUED in the store: if the queue is away, the sweeper publishes it again
        publisher.publish(Topic.VIDEO, entry.message);
    }

    private static String key(JobMessage message) {
        return message.segment() == null ? message.jobId() : message.jobId() + ":" + message.segment();
    }

    private static final class Waiting {
        private final JobMessage message;
        private volatile ScheduledFuture<?> future;

        Waiting(JobMessage message) {
            this.message = message;
        }
    }
}
