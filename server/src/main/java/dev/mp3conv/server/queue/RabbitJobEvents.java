package dev.mp3conv.server.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * "Job X changed" between processes: a fanout exchange that every process publishes to and each
 * process that follows jobs (a gateway with SSE streams) reads through an exclusive, server-named
 * queue of its own. Best effort by design: announcements are transient, unconfirmed and dropped when
 * the broker is away or a burst fills the buffer, because a follower that misses one reads the job on
 * its slow poll anyway. Publishing never blocks the caller (a converter renewing its lease): a virtual
 * thread drains a bounded buffer.
 */
final class RabbitJobEvents implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RabbitJobEvents.class.getName());
    private static final int BUFFER = 4096;
    private static final String ORIGIN = "origin";
    // job ids are ObjectIds; anything else on the exchange is not ours
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{24}");

    private final Connection connection;
    private final String exchange;
    private final BooleanSupplier publishable;
    private final String origin = UUID.randomUUID().toString();
    private final BlockingQueue<String> outbox = new ArrayBlockingQueue<>(BUFFER);
    private final Thread publisher;
    private volatile Channel publishChannel;
    private volatile Channel consumeChannel;
    private volatile boolean closed;

    RabbitJobEvents(Connection connection, String exchange, BooleanSupplier publishable) throws IOException {
        this.connection = connection;
        this.exchange = exchange;
        this.publishable = publishable;
        this.publishChannel = connection.createChannel();
        publishChannel.exchangeDeclare(exchange, BuiltinExchangeType.FANOUT, true);
        this.publisher = Thread.ofVirtual().name("job-events-publisher").start(this::drain);
    }

    /**
     * Queues an announcement; drops it when the buffer is full.
     *
     * @param jobId the job that changed
     */
    void announce(String jobId) {
        if (!closed) {
            outbox.offer(jobId);
        }
    }

    /**
     * Starts receiving other processes' announcements.
     *
     * @param listener takes the id of each job changed elsewhere (on the connection's consumer threads)
     * @throws IOException when the queue cannot be declared or consumed
     */
    synchronized void listen(Consumer<String> listener) throws IOException {
        if (consumeChannel != null) {
            throw new IllegalStateException("already listening");
        }
        Channel channel = connection.createChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, exchange, "");
        channel.basicConsume(queue, true, (tag, delivery) -> {
            Object from = delivery.getProperties().getHeaders() == null ? null
                    : delivery.getProperties().getHeaders().get(ORIGIN);
            String jobId = new String(delivery.getBody(), StandardCharsets.US_ASCII);
            if (!origin.equals(String.valueOf(from)) && JOB_ID.matcher(jobId).matches()) {
                listener.accept(jobId);
            }
        }, tag -> { });
        consumeChannel = channel;
    }

    private void drain() {
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("text/plain").deliveryMode(1).headers(Map.of(ORIGIN, origin)).build();
        while (!closed) {
            String jobId;
            try {
                jobId = outbox.take();
            } catch (InterruptedException e) {
                return;
            }
            // a blocked connection would hold basicPublish until the broker's alarm clears
            if (!publishable.getAsBoolean()) {
                continue;
            }
            try {
                publishChannel.basicPublish(exchange, "", properties, jobId.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "job event for " + jobId + " not sent", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        publisher.interrupt();
        for (Channel channel : new Channel[] {publishChannel, consumeChannel}) {
            if (channel != null && channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing a job-events channel", e);
                }
            }
        }
    }
}
