package dev.mp3conv.server.queue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.RecoveryListener;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.Json;

/**
 * The cluster {@link JobQueue} on RabbitMQ (DESIGN.md §7): durable quorum queues with a delivery
 * limit and dead-letter queues, persistent {@code mandatory} publishes confirmed within a timeout
 * (a returned or unconfirmed message is a failure the caller sees), manual acks after the handler
 * returns, prefetch = concurrency, automatic connection and topology recovery. Readiness is down
 * while the connection is lost or blocked by the broker.
 */
public final class RabbitJobQueue implements JobQueue {
    private static final System.Logger LOG = System.getLogger(RabbitJobQueue.class.getName());

    private final RabbitConfig config;
    private final QueueMetrics metrics;
    private final Connection connection;
    // kept open: automatic topology recovery redeclares through the channel that declared
    private final Channel topologyChannel;
    private final PublishChannels publishChannels;
    private final RabbitJobEvents events;
    private final ObjectMapper mapper = Json.mapper();
    private final List<RabbitConsumer> consumers = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private volatile boolean connected = true;
    private volatile boolean blocked;
    private volatile boolean closed;

    private RabbitJobQueue(RabbitConfig config, QueueMetrics metrics, Connection connection, Channel topologyChannel)
            throws IOException {
        this.config = config;
        this.metrics = metrics;
        this.connection = connection;
        this.topologyChannel = topologyChannel;
        this.publishChannels = new PublishChannels(connection, config.publishChannels());
        this.events = new RabbitJobEvents(connection, config.jobEventsExchange(), () -> connected && !blocked);
    }

    /**
     * Connects and declares the topology.
     *
     * @param config  settings
     * @param metrics where counts go
     * @return the queue
     * @throws QueueUnavailableException with one clear line when the broker cannot be reached, refuses
     *                                   the credentials, or holds a conflicting queue
     */
    public static RabbitJobQueue open(RabbitConfig config, QueueMetrics metrics) {
        String where = RabbitConfig.safeUri(config.uri());
        Connection connection;
        try {
            connection = factory(config).newConnection(config.connectionName());
        } catch (AuthenticationFailureException e) {
            throw new QueueUnavailableException("RabbitMQ at " + where + " refused the user in AMQP_URI: " + e.getMessage(), e);
        } catch (IOException | TimeoutException e) {
            throw new QueueUnavailableException("cannot reach RabbitMQ at " + where + ": " + rootMessage(e), e);
        }
        try {
            Channel topology = connection.createChannel();
            RabbitTopology.declare(topology, config);
            RabbitJobQueue queue = new RabbitJobQueue(config, metrics, connection, topology);
            queue.watchConnection();
            LOG.log(System.Logger.Level.INFO, "RabbitMQ at {0}: queues {1} and {2}, dead letters via {3}, delivery limit {4}",
                    where, config.videoQueue(), config.mp3Queue(), config.deadLetterExchange(), config.deliveryLimit());
            return queue;
        } catch (IOException | RuntimeException e) {
            connection.abort();
            if (e instanceof QueueUnavailableException unavailable) {
                throw unavailable;
            }
            throw new QueueUnavailableException("cannot declare the queues on RabbitMQ at " + where + ": "
                    + rootMessage(e), e);
        }
    }

    private static ConnectionFactory factory(RabbitConfig config) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            if (config.uri().toLowerCase(Locale.ROOT).startsWith("amqps:")) {
                // verify the broker's certificate against the JVM's trust store (setUri alone trusts anything)
                factory.setSslContextFactory(name -> defaultSslContext());
                factory.setUri(config.uri());
                factory.enableHostnameVerification();
            } else {
                factory.setUri(config.uri());
            }
        } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
            throw new QueueUnavailableException("AMQP_URI is not a valid amqp:// or amqps:// URI: "
                    + (e instanceof URISyntaxException ? "malformed" : e.getMessage()), e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(config.recoveryInterval().toMillis());
        factory.setConnectionTimeout(10_000);
        factory.setRequestedHeartbeat(30);
        return factory;
    }

    private static SSLContext defaultSslContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    private void watchConnection() {
        connection.addShutdownListener(cause -> {
            connected = false;
            if (!closed && !cause.isInitiatedByApplication()) {
                LOG.log(System.Logger.Level.WARNING, "lost the connection to RabbitMQ ({0}); reconnecting every {1}",
                        cause.getMessage(), config.recoveryInterval());
            }
        });
        connection.addBlockedListener(
                reason -> {
                    blocked = true;
                    LOG.log(System.Logger.Level.WARNING, "RabbitMQ blocks publishing: {0}", reason);
                },
                () -> {
                    blocked = false;
                    LOG.log(System.Logger.Level.INFO, "RabbitMQ unblocked publishing");
                });
        ((RecoverableConnection) connection).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                connected = true;
                LOG.log(System.Logger.Level.INFO, "reconnected to RabbitMQ; consumers resubscribed");
                // off the recovery thread: a listener publishes, and publishing waits for confirms
                // that this thread would have to deliver
                reconnectListeners.forEach(listener -> Thread.ofVirtual().name("rabbitmq-reconnected")
                        .start(() -> runQuietly(listener)));
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                // readiness already went down with the shutdown signal
            }
        });
    }

    @Override
    public void publish(Topic topic, JobMessage message) {
        if (closed) {
            throw new QueueUnavailableException("queue is shut down", null);
        }
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job message cannot be written as JSON", e);
        }
        String queue = config.queue(topic);
        AMQP.BasicProperties properties = MessageProperties.PERSISTENT_BASIC.builder()
                .contentType("application/json")
                .messageId(message.jobId())
                .type(topic.name().toLowerCase(Locale.ROOT))
                .appId("mp3conv")
                .timestamp(new Date())
                .build();
        PublishChannels.PublishChannel borrowed = publishChannels.borrow(config.confirmTimeout());
        boolean healthy = false;
        try {
            borrowed.forgetReturns();
            borrowed.channel().basicPublish("", queue, true, properties, body);
            metrics.published(topic);
            borrowed.channel().waitForConfirmsOrDie(config.confirmTimeout().toMillis());
            healthy = true;
            String returned = borrowed.returned(message.jobId());
            if (returned != null) {
                metrics.returned(topic);
                throw new QueueUnavailableException("RabbitMQ returned the " + topic + " message for job "
                        + message.jobId() + " as unroutable (" + returned + "): does queue '" + queue + "' exist?", null);
            }
            metrics.confirmed(topic);
        } catch (IOException e) {
            throw new QueueUnavailableException("RabbitMQ did not accept the " + topic + " message for job "
                    + message.jobId() + ": " + rootMessage(e), e);
        } catch (TimeoutException e) {
            throw new QueueUnavailableException("RabbitMQ did not confirm the " + topic + " message for job "
                    + message.jobId() + " within " + config.confirmTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueUnavailableException("interrupted while waiting for a confirm", e);
        } catch (com.rabbitmq.client.ShutdownSignalException e) {
            throw new QueueUnavailableException("the connection to RabbitMQ went away before the " + topic
                    + " message for job " + message.jobId() + " was confirmed: " + e.getMessage(), e);
        } finally {
            publishChannels.giveBack(borrowed, healthy);
        }
    }

    @Override
    public Consumer consume(Topic topic, int concurrency, MessageHandler handler) {
        RabbitConsumer consumer = new RabbitConsumer(connection, config, topic, concurrency, handler, metrics, mapper);
        try {
            consumer.subscribe();
        } catch (IOException | RuntimeException e) {
            throw new QueueUnavailableException("cannot consume from RabbitMQ queue '" + config.queue(topic) + "': "
                    + rootMessage(e), e);
        }
        consumers.add(consumer);
        metrics.consumers(topic, concurrency);
        return () -> {
            consumers.remove(consumer);
            consumer.close();
        };
    }

    @Override
    public void announce(String jobId) {
        events.announce(jobId);
    }

    @Override
    public void onAnnouncement(java.util.function.Consumer<String> listener) {
        try {
            events.listen(listener);
        } catch (IOException e) {
            throw new QueueUnavailableException("cannot follow job events on RabbitMQ exchange '"
                    + config.jobEventsExchange() + "': " + rootMessage(e), e);
        }
    }

    @Override
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    private static void runQuietly(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "after reconnecting to RabbitMQ: {0}", e.toString());
        }
    }

    @Override
    public boolean ready() {
        return !closed && connected && !blocked && connection.isOpen();
    }

    @Override
    public boolean durable() {
        return true;
    }

    /**
     * The settings in use (queue names for tests and tools).
     *
     * @return settings
     */
    public RabbitConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        consumers.forEach(RabbitConsumer::close);
        consumers.clear();
        closed = true;
        events.close();
        publishChannels.close();
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the RabbitMQ connection", e);
            connection.abort();
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replace('\n', ' ');
    }
}
