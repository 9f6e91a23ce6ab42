package dev.mp3conv.server.notify;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.queue.Delivery;
import dev.mp3conv.server.queue.MessageHandler;

/**
 * Handles one {@code mp3} message: notifies the owner of a DONE or FAILED job at most once.
 *
 * <p>The notification is claimed on the job record ({@code notified_at}) before anything is sent, so
 * a redelivered or republished message finds it claimed and is acked without a second email. A
 * retryable failure gives the claim back and throws, so the message comes back through the queue;
 * before trying again a redelivery waits (doubling from {@code notify.retry-backoff}, capped), which
 * holds only that consumer slot and ends at once on shutdown. At the last delivery, or on a
 * permanent failure, the error is recorded on the job and the message acked: never a loop.
 */
final class NotificationHandler implements MessageHandler {
    private static final System.Logger LOG = System.getLogger(NotificationHandler.class.getName());

    private final JobRepository jobs;
    private final OwnerNotifier notifier;
    private final WebhookSender webhooks;
    private final NotifyMetrics metrics;
    private final Backoff backoff;
    private final int deliveryLimit;
    private final CountDownLatch stopping = new CountDownLatch(1);

    NotificationHandler(JobRepository jobs, OwnerNotifier notifier, WebhookSender webhooks, NotifyMetrics metrics,
                        Backoff backoff, int deliveryLimit) {
        this.jobs = jobs;
        this.notifier = notifier;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.backoff = backoff;
        this.deliveryLimit = deliveryLimit;
    }

    @Override
    public void handle(Delivery delivery) throws Exception {
        String id = delivery.message().jobId();
        Optional<Job> found = jobs.find(id);
        if (found.isEmpty() || !finished(found.get()) || found.get().notifiedAt() != null) {
            // deleted, not finished (a stray message), or notified already (a redelivery)
            metrics.notification(notifier.channel(), "skipped");
            return;
        }
        if (delivery.redelivered() && stopping.await(backoff.before(delivery.deliveryCount()).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new ShuttingDownException(id);
        }
        Optional<Job> claimed = jobs.claimNotification(id, notifier.channel());
        if (claimed.isEmpty()) {
            metrics.notification(notifier.channel(), "skipped");
            return;
        }
        Job job = claimed.get();
        try {
            notifier.send(job);
            metrics.notification(notifier.channel(), "sent");
        } catch (NotificationException e) {
            if (e.retryable() && delivery.deliveryCount() < deliveryLimit) {
                jobs.releaseNotification(id);
                metrics.notification(notifier.channel(), "retried");
                throw e;
            }
            giveUp(job, delivery, e);
        } catch (RuntimeException e) {
            // a fault of ours: give the claim back so the queue's retry and dead letter apply
            jobs.releaseNotification(id);
            throw e;
        }
        webhooks.deliver(job);
    }

    private void giveUp(Job job, Delivery delivery, NotificationException e) {
        JobError error = e.retryable()
                ? new JobError(e.error().code(), e.error().message() + " (gave up after " + delivery.deliveryCount() + " attempts)")
                : e.error();
        jobs.recordNotifyError(job.id(), error);
        metrics.notification(notifier.channel(), "failed");
        LOG.log(System.Logger.Level.WARNING, "job {0}: {1} notification failed for good: {2}",
                job.id(), notifier.channel(), error.message());
    }

    private static boolean finished(Job job) {
        return job.state() == JobState.DONE || job.state() == JobState.FAILED;
    }

    /** Wakes handlers waiting to retry, so shutdown does not wait out a backoff. */
    void stop() {
        stopping.countDown();
    }

    /**
     * The pause before delivery {@code n}: {@code first} before the second delivery, doubling, at most {@code max}.
     *
     * @param first pause before the first retry
     * @param max   longest pause
     */
    record Backoff(Duration first, Duration max) {
        Duration before(int deliveryCount) {
            int doublings = Math.min(Math.max(deliveryCount - 2, 0), 30);
            Duration pause = first.multipliedBy(1L << doublings);
            return pause.compareTo(max) > 0 ? max : pause;
        }
    }

    /** A retry interrupted by shutdown: the message goes back to the queue untouched. */
    static final class ShuttingDownException extends Exception {
        private static final long serialVersionUID = 1L;

        ShuttingDownException(String jobId) {
            super("notifier stopping; job " + jobId + " left for the next consumer");
        }
    }
}
