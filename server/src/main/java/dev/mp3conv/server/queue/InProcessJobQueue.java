package dev.mp3conv.server.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobMessage;

/**
 * The single-machine {@link JobQueue}: one in-memory queue per topic, consumed by virtual threads,
 * with the same contract as the broker (ack on return, requeue on failure up to the delivery limit,
 * then dead letter; permanent failures dead-lettered at once). Messages do not survive a restart:
 * the jobs collection does, and unfinished jobs are republished from it at start.
 */
public final class InProcessJobQueue implements JobQueue {
    private static final System.Logger LOG = System.getLogger(InProcessJobQueue.class.getName());
    private static final Duration IDLE_CHECK = Duration.ofMillis(250);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final int deliveryLimit;
    private final Map<Topic, BlockingQueue<Envelope>> queues = new EnumMap<>(Topic.class);
    private final Map<Topic, Queue<JobMessage>> deadLetters = new EnumMap<>(Topic.class);
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final QueueMetrics metrics;
    private volatile boolean closed;

    /**
     * New queue.
     *
     * @param deliveryLimit deliveries before a failing message is dead-lettered
     * @param metrics       where counts go
     */
    public InProcessJobQueue(int deliveryLimit, QueueMetrics metrics) {
        this.deliveryLimit = deliveryLimit;
        this.metrics = metrics;
        for (Topic topic : Topic.values()) {
            queues.put(topic, new LinkedBlockingQueue<>());
            deadLetters.put(topic, new ConcurrentLinkedQueue<>());
        }
    }

    @Override
    public void publish(Topic topic, JobMessage message) {
        if (closed) {
            throw new QueueUnavailableException("queue is shut down", null);
        }
        queues.get(topic).add(new Envelope(message, 0));
        metrics.published(topic);
        metrics.confirmed(topic);
    }

    @Override
    public Consumer consume(Topic topic, int concurrency, MessageHandler handler) {
        List<Worker> started = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Worker worker = new Worker(topic, handler);
            worker.thread = Thread.ofVirtual().name("consume-" + topic.name().toLowerCase() + "-" + i).start(worker);
            started.add(worker);
        }
        workers.addAll(started);
        metrics.consumers(topic, concurrency);
        return () -> stop(started);
    }

    @Override
    public boolean ready() {
        return !closed;
    }

    @Override
    public boolean durable() {
        return false;
    }

    /**
     * Messages dead-lettered so far on a topic (the in-process stand-in for {@code video.dlq}).
     *
     * @param topic the topic
     * @return the messages, oldest first
     */
    public List<JobMessage> deadLetters(Topic topic) {
        return List.copyOf(deadLetters.get(topic));
    }

    @Override
    public void close() {
        closed = true;
        stop(workers);
    }

    private void stop(List<Worker> toStop) {
        toStop.forEach(w -> w.running = false);
        for (Worker worker : toStop) {
            try {
                if (!worker.thread.join(STOP_WAIT)) {
                    LOG.log(System.Logger.Level.WARNING, "consumer {0} still busy after {1}; leaving it",
                            worker.thread.getName(), STOP_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (Worker worker : toStop) {
            if (workers.remove(worker)) {
                metrics.consumers(worker.topic, -1);
            }
        }
    }

    private void handle(Topic topic, MessageHandler handler, Envelope envelope) {
        int count = envelope.deliveries() + 1;
        if (count > 1) {
            metrics.redelivered(topic);
        }
        try {
            handler.handle(new Delivery(topic, envelope.message(), count));
        } catch (PermanentFailureException e) {
            deadLetter(topic, envelope.message(), e);
        } catch (Exception e) {
            if (count >= deliveryLimit) {
                deadLetter(topic, envelope.message(), e);
            } else {
                LOG.log(System.Logger.Level.INFO, "{0} message for job {1} failed (delivery {2}), requeued: {3}",
                        topic, envelope.message().jobId(), count, e.toString());
                queues.get(topic).add(new Envelope(envelope.message(), count));
            }
        }
    }

    private void deadLetter(Topic topic, JobMessage message, Exception cause) {
        LOG.log(System.Logger.Level.WARNING, "{0} message for job {1} dead-lettered: {2}",
                topic, message.jobId(), cause.toString());
        deadLetters.get(topic).add(message);
        metrics.deadLettered(topic);
    }

    private record Envelope(JobMessage message, int deliveries) {
    }

    private final class Worker implements Runnable {
        private final Topic topic;
        private final MessageHandler handler;
        private volatile boolean running = true;
        private Thread thread;

        Worker(Topic topic, MessageHandler handler) {
            this.topic = topic;
            this.handler = handler;
        }

        @Override
        public void run() {
            BlockingQueue<Envelope> queue = queues.get(topic);
            while (running) {
                try {
                    Envelope envelope = queue.poll(IDLE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
                    if (envelope != null) {
                        handle(topic, handler, envelope);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
