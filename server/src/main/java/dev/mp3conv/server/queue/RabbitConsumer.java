package dev.mp3conv.server.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.mp3conv.model.JobMessage;

/**
 * One {@link JobQueue#consume} subscription: its own channel with {@code basicQos(concurrency)}, each
 * delivery handled on a virtual thread (never the client's dispatch or I/O threads, so a long
 * conversion cannot delay heartbeats or other deliveries), acked after the handler returns.
 * Automatic recovery re-subscribes after a connection loss; a channel the broker closes on its own
 * (an ack timed out after {@code consumer_timeout}, the queue was deleted) is re-opened here.
 */
final class RabbitConsumer implements JobQueue.Consumer {
    private static final System.Logger LOG = System.getLogger(RabbitConsumer.class.getName());
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Connection connection;
    private final Topic topic;
    private final String queue;
    private final int concurrency;
    private final int deliveryLimit;
    private final Duration retryInterval;
    private final MessageHandler handler;
    private final QueueMetrics metrics;
    private final ObjectMapper mapper;
    private final ExecutorService handlers;
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile boolean closing;

    RabbitConsumer(Connection connection, RabbitConfig config, Topic topic, int concurrency, MessageHandler handler,
                   QueueMetrics metrics, ObjectMapper mapper) {
        this.connection = connection;
        this.topic = topic;
        this.queue = config.queue(topic);
        this.concurrency = concurrency;
        this.deliveryLimit = config.deliveryLimit();
        this.retryInterval = config.recoveryInterval();
        this.handler = handler;
        this.metrics = metrics;
        this.mapper = mapper;
        this.handlers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("consume-" + topic.name().toLowerCase(java.util.Locale.ROOT) + "-", 0).factory());
    }

    synchronized void subscribe() throws IOException {
        Channel ch = connection.createChannel();
        try {
            ch.basicQos(concurrency);
            ch.addShutdownListener(cause -> channelClosed(ch, cause));
            consumerTag = ch.basicConsume(queue, false, deliveriesOn(ch));
        } catch (IOException | RuntimeException e) {
            abortQuietly(ch);
            throw e;
        }
        channel = ch;
    }

    private DefaultConsumer deliveriesOn(Channel ch) {
        return new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                handlers.execute(() -> handle(ch, envelope, properties, body));
            }

            @Override
            public void handleCancel(String tag) {
                // the broker cancelled us (queue deleted): keep trying until it is back
                if (!closing) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: the broker cancelled the consumer of queue {1}; "
                            + "subscribing again", topic, queue);
                    abortQuietly(ch);
                    Thread.ofVirtual().name("resubscribe-" + queue).start(RabbitConsumer.this::resubscribe);
                }
            }
        };
    }

    private void handle(Channel ch, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        int count = deliveryCount(properties, envelope);
        if (count > 1) {
            metrics.redelivered(topic);
        }
        long tag = envelope.getDeliveryTag();
        JobMessage message;
        try {
            message = mapper.readValue(body, JobMessage.class);
        } catch (IOException e) {
            deadLetter(ch, tag, "message " + properties.getMessageId() + " is not a job message: " + e.getMessage());
            return;
        }
        try {
            handler.handle(new Delivery(topic, message, count));
            settle(ch, tag, Settlement.ACK);
        } catch (PermanentFailureException e) {
            deadLetter(ch, tag, "job " + message.jobId() + ": " + e.getMessage());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (count >= deliveryLimit) {
                deadLetter(ch, tag, "job " + message.jobId() + " failed " + count + " times, last: " + e);
            } else {
                LOG.log(System.Logger.Level.INFO, "{0} message for job {1} failed (delivery {2}), requeued: {3}",
                        topic, message.jobId(), count, e.toString());
                settle(ch, tag, Settlement.REQUEUE);
            }
        }
    }

    /**
     * Quorum queues count returns (nacks, lost consumers) in {@code x-delivery-count}; it is absent
     * on the first delivery.
     */
    private static int deliveryCount(AMQP.BasicProperties properties, Envelope envelope) {
        Object previous = properties.getHeaders() == null ? null : properties.getHeaders().get("x-delivery-count");
        if (previous instanceof Number n) {
            return n.intValue() + 1;
        }
        return envelope.isRedeliver() ? 2 : 1;
    }

    private void deadLetter(Channel ch, long tag, String why) {
        LOG.log(System.Logger.Level.WARNING, "{0} message dead-lettered: {1}", topic, why);
        if (settle(ch, tag, Settlement.DEAD_LETTER)) {
            metrics.deadLettered(topic);
        }
    }

    private boolean settle(Channel ch, long tag, Settlement settlement) {
        try {
            // acks from several handler threads: one frame each, but keep them from interleaving
            synchronized (ch) {
                switch (settlement) {
                    case ACK -> ch.basicAck(tag, false);
                    case REQUEUE -> ch.basicNack(tag, false, true);
                    case DEAD_LETTER -> ch.basicReject(tag, false);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            // the channel went away with the message unacked: the broker redelivers it, and the
            // handler's idempotency (the job claim) absorbs the repeat
            LOG.log(System.Logger.Level.INFO, "{0}: could not {1} a delivery, the broker will redeliver it: {2}",
                    topic, settlement, e.toString());
            return false;
        }
    }

    private void channelClosed(Channel ch, ShutdownSignalException cause) {
        if (closing || cause.isHardError() || cause.isInitiatedByApplication() || ch != channel) {
            // connection-level losses are handled by automatic recovery
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "{0}: the broker closed the consumer channel ({1}); subscribing again",
                topic, cause.getMessage());
        Thread.ofVirtual().name("resubscribe-" + queue).start(this::resubscribe);
    }

    private void resubscribe() {
        while (!closing) {
            try {
                if (connection.isOpen()) {
                    subscribe();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: subscribing again failed, retrying in {1}: {2}",
                        topic, retryInterval, e.toString());
            }
            try {
                Thread.sleep(retryInterval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        Channel ch = channel;
        try {
            ch.basicCancel(consumerTag);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cancelling consumer", e);
        }
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "{0}: handlers still busy after {1}; their messages go back to "
                        + "the queue", topic, STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        abortQuietly(ch);
        metrics.consumers(topic, -concurrency);
    }

    // abort, not close: it also works on a closed channel and unregisters it from automatic recovery
    private static void abortQuietly(Channel ch) {
        try {
            ch.abort();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing consumer channel", e);
        }
    }

    private enum Settlement {
        ACK, REQUEUE, DEAD_LETTER
    }
}
