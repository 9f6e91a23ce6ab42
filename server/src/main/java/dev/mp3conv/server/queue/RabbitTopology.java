package dev.mp3conv.server.queue;

import java.io.IOException;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * Declares the broker topology (DESIGN.md §7): per topic a durable quorum queue with a delivery limit
 * whose dead letters go through a direct exchange to {@code <queue>.dlq}. Declaring is idempotent;
 * a queue or exchange that exists with other arguments fails start with one line saying what to do.
 */
final class RabbitTopology {
    private static final int PRECONDITION_FAILED = 406;

    private RabbitTopology() {
    }

    /**
     * Declares everything on one channel (kept open by the caller, so automatic topology recovery
     * can replay it).
     *
     * @param channel a channel; a conflict closes it
     * @param config  names and limits
     * @throws IOException for a broker error other than a conflict
     * @throws QueueUnavailableException with one clear line on a redeclare conflict
     */
    static void declare(Channel channel, RabbitConfig config) throws IOException {
        String dlx = config.deadLetterExchange();
        declare("exchange", dlx, "mp3conv needs a durable direct exchange there; delete it or set "
                + "queue.dead-letter-exchange to another name",
                () -> channel.exchangeDeclare(dlx, BuiltinExchangeType.DIRECT, true));
        for (Topic topic : Topic.values()) {
            String queue = config.queue(topic);
            String dlq = config.deadLetterQueue(topic);
            String setting = topic == Topic.VIDEO ? "VIDEO_QUEUE" : "MP3_QUEUE";
            declare("queue", dlq, "mp3conv needs a durable quorum queue there; drain and delete it (rabbitmqctl "
                    + "delete_queue " + dlq + ") or set " + setting + " to another name",
                    () -> channel.queueDeclare(dlq, true, false, false, Map.of("x-queue-type", "quorum")));
            channel.queueBind(dlq, dlx, dlq);
            declare("queue", queue, "mp3conv needs a durable quorum queue with a dead-letter exchange and a delivery "
                    + "limit (a classic queue of that name is what the course system leaves); drain and delete it "
                    + "(rabbitmqctl delete_queue " + queue + ") or set " + setting + " to another name",
                    () -> channel.queueDeclare(queue, true, false, false, queueArguments(config, dlq)));
        }
    }

    /**
     * Arguments of a work queue. The broker's {@code x-delivery-limit} is a backstop for messages
     * whose handler never returns (a process that crashes on them); handler failures are counted
     * and dead-lettered by the consumer at {@code deliveryLimit} deliveries, the same as the
     * in-process queue. At-least-once dead-lettering keeps a dead letter in the source queue until
     * the dead-letter queue has confirmed it (quorum queues drop them by default).
     */
    static Map<String, Object> queueArguments(RabbitConfig config, String dlq) {
        return Map.of("x-queue-type", "quorum",
                "x-delivery-limit", config.deliveryLimit(),
                "x-dead-letter-exchange", config.deadLetterExchange(),
                "x-dead-letter-routing-key", dlq,
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish");
    }

    private static void declare(String kind, String name, String remedy, Declaration declaration) throws IOException {
        try {
            declaration.run();
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal
                    && signal.getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == PRECONDITION_FAILED) {
                throw new QueueUnavailableException(conflict(kind, name, close.getReplyText(), remedy), e);
            }
            throw e;
        }
    }

    static String conflict(String kind, String name, String brokerText, String remedy) {
        return "RabbitMQ " + kind + " '" + name + "' already exists with other arguments (" + brokerText + "): " + remedy;
    }

    @FunctionalInterface
    private interface Declaration {
        void run() throws IOException;
    }
}
