package dev.mp3conv.server.jobs;

import dev.mp3conv.model.JobMessage;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.queue.Topic;

/**
 * The one way a job's message goes out: publish it, then record in the jobs (or segments) collection
 * that the queue confirmed it. A queue that does not confirm is not an error here: the job's state is
 * in the store, and the sweeper publishes what was never recorded as published. A record that fails
 * after the confirm is logged and let go: the message is out, and at worst the sweeper publishes it
 * again and its consumer skips the duplicate (consumers claim first).
 */
public final class JobPublisher {
    private static final System.Logger LOG = System.getLogger(JobPublisher.class.getName());

    private final JobQueue queue;
    private final JobRepository jobs;
    /** Null for a publisher of whole jobs only (gateways). */
    private final SegmentRepository segments;

    /**
     * A publisher of whole jobs' messages.
     *
     * @param queue the queue
     * @param jobs  where confirms are recorded
     */
    public JobPublisher(JobQueue queue, JobRepository jobs) {
        this(queue, jobs, null);
    }

    private JobPublisher(JobQueue queue, JobRepository jobs, SegmentRepository segments) {
        this.queue = queue;
        this.jobs = jobs;
        this.segments = segments;
    }

    /**
     * This publisher, also for the messages of segments (recorded on their units).
     *
     * @param units the segments collection
     * @return a publisher that records segment confirms there
     */
    public JobPublisher withSegments(SegmentRepository units) {
        return new JobPublisher(queue, jobs, units);
    }

    /**
     * Publishes a job's message.
     *
     * @param topic {@code video} (to convert) or {@code mp3} (finished, to notify)
     * @param job   the job
     * @return true when the queue confirmed it
     */
    public boolean publish(Topic topic, Job job) {
        return publish(topic, job.message());
    }

    /**
     * Publishes the {@code video} message of one of a job's segments.
     *
     * @param job   the segmented job
     * @param index the unit's index (the stitch step's is the segment count)
     * @return true when the queue confirmed it
     */
    public boolean publishSegment(Job job, int index) {
        return publish(Topic.VIDEO, job.message().forSegment(index));
    }

    /**
     * Publishes a message as it is (a whole job's, or a segment's).
     *
     * @param topic the topic
     * @param message the message
     * @return true when the queue confirmed it
     * @throws IllegalStateException for a segment's message on a publisher without {@link #withSegments}
     */
    public boolean publish(Topic topic, JobMessage message) {
        if (message.segment() != null && segments == null) {
            throw new IllegalStateException("a publisher without the segments collection got a segment's message");
        }
        try {
            queue.publish(topic, message);
        } catch (QueueUnavailableException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0}: {1} not published yet, the sweeper will: {2}",
                    message.jobId(), describe(topic, message), e.getMessage());
            return false;
        }
        try {
            if (message.segment() != null) {
                segments.markPublished(message.jobId(), message.segment());
            } else if (topic == Topic.VIDEO) {
                jobs.markVideoPublished(message.jobId());
            } else {
                jobs.markMp3Published(message.jobId());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0}: {1} published, but the publish was not recorded: {2}",
                    message.jobId(), describe(topic, message), e.toString());
        }
        return true;
    }

    private static String describe(Topic topic, JobMessage message) {
        String name = topic.name().toLowerCase(java.util.Locale.ROOT);
        return message.segment() == null ? name + " message" : name + " message of segment " + message.segment();
    }
}
