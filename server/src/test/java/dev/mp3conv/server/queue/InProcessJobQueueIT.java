package dev.mp3conv.server.queue;

import java.util.List;

import dev.mp3conv.model.JobMessage;

/**
 * The {@link JobQueue} contract on the in-process queue (an IT because the jobs collection of the
 * contract is an in-memory MongoDB-wire server on a loopback port).
 */
class InProcessJobQueueIT extends JobQueueContract {
    private InProcessJobQueue queue;

    @Override
    JobQueue openQueue(int deliveryLimit, QueueMetrics metrics) {
        queue = new InProcessJobQueue(deliveryLimit, metrics);
        return queue;
    }

    @Override
    List<JobMessage> deadLetters(Topic topic) {
        return queue.deadLetters(topic);
    }
}
