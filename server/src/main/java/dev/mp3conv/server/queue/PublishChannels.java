package dev.mp3conv.server.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * A bounded pool of confirm-mode channels for publishing. Channels are not thread-safe and confirms
 * are tracked per channel, so each publish borrows one channel for itself; with a pool, request
 * threads (virtual, short-lived) neither share a channel nor open one per publish.
 */
final class PublishChannels implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PublishChannels.class.getName());

    private final Connection connection;
    private final Semaphore permits;
    private final BlockingQueue<PublishChannel> idle = new LinkedBlockingQueue<>();

    PublishChannels(Connection connection, int size) {
        this.connection = connection;
        this.permits = new Semaphore(size);
    }

    /**
     * Takes a channel, opening one if none is idle.
     *
     * @param wait how long to wait while all channels are in use
     * @return a channel for the caller alone; give it back with {@link #giveBack}
     * @throws QueueUnavailableException when none became free in time or none can be opened
     */
    PublishChannel borrow(Duration wait) {
        try {
            if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QueueUnavailableException("all publish channels busy for " + wait, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueUnavailableException("interrupted while waiting for a publish channel", e);
        }
        if (!connection.isOpen()) {
            permits.release();
            throw new QueueUnavailableException("the connection to RabbitMQ is down (reconnecting)", null);
        }
        PublishChannel channel;
        while ((channel = idle.poll()) != null) {
            if (channel.channel().isOpen()) {
                return channel;
            }
            discard(channel);
        }
        try {
            return PublishChannel.open(connection);
        } catch (IOException | RuntimeException e) {
            permits.release();
            throw new QueueUnavailableException("cannot open a channel to RabbitMQ: " + e.getMessage(), e);
        }
    }

    /**
     * Returns a borrowed channel; a channel in an unknown state (a publish failed on it) is closed.
     *
     * @param channel the channel
     * @param healthy whether it can serve the next publish
     */
    void giveBack(PublishChannel channel, boolean healthy) {
        if (healthy && channel.channel().isOpen()) {
            idle.add(channel);
        } else {
            discard(channel);
        }
        permits.release();
    }

    @Override
    public void close() {
        PublishChannel channel;
        while ((channel = idle.poll()) != null) {
            discard(channel);
        }
    }

    // abort, not close: it also works on a closed channel and unregisters it from automatic recovery
    private static void discard(PublishChannel channel) {
        try {
            channel.channel().abort();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "discarding a publish channel", e);
        }
    }

    /**
     * A confirm-mode channel and the last message the broker returned on it as unroutable.
     */
    static final class PublishChannel {
        private final Channel channel;
        private volatile String returnedId;
        private volatile String returnReason;

        private PublishChannel(Channel channel) {
            this.channel = channel;
        }

        static PublishChannel open(Connection connection) throws IOException {
            Channel channel = connection.createChannel();
            if (channel == null) {
                throw new IOException("no channel number left on the connection");
            }
            channel.confirmSelect();
            PublishChannel publishChannel = new PublishChannel(channel);
            // basic.return always arrives before the confirm of the same message, on the same channel
            channel.addReturnListener(returned -> {
                publishChannel.returnReason = returned.getReplyCode() + " " + returned.getReplyText();
                publishChannel.returnedId = returned.getProperties().getMessageId();
            });
            return publishChannel;
        }

        Channel channel() {
            return channel;
        }

        void forgetReturns() {
            returnedId = null;
        }

        /**
         * Why the broker returned this message, if it did.
         *
         * @param messageId id of the message just confirmed
         * @return reply code and text, or null when it was routed
         */
        String returned(String messageId) {
            return messageId.equals(returnedId) ? returnReason : null;
        }
    }
}
