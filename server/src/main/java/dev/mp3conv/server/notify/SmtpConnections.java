package dev.mp3conv.server.notify;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

/**
 * A few logged-in SMTP connections kept for reuse: a {@link Transport} is not thread-safe, so each
 * send borrows one, and gives it back only when the send succeeded. An idle connection is dropped
 * after {@link #MAX_IDLE} (servers close idle clients after a minute or more) and checked with
 * {@code NOOP} before reuse.
 */
final class SmtpConnections implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SmtpConnections.class.getName());
    static final Duration MAX_IDLE = Duration.ofSeconds(30);

    private final Session session;
    private final SmtpSettings settings;
    private final int maxIdle;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    SmtpConnections(Session session, SmtpSettings settings, int maxIdle) {
        this.session = session;
        this.settings = settings;
        this.maxIdle = maxIdle;
    }

    /**
     * Sends a message over a pooled or new connection.
     *
     * @param message the message, with its recipients set
     * @throws MessagingException when connecting, logging in or sending failed (the connection is dropped)
     */
    void send(MimeMessage message) throws MessagingException {
        Transport transport = borrow();
        try {
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(transport);
            throw e;
        }
        giveBack(transport);
    }

    private Transport borrow() throws MessagingException {
        Transport reusable;
        while ((reusable = takeIdle()) != null) {
            // isConnected() sends NOOP, so a connection the server dropped is noticed here, not mid-send
            if (reusable.isConnected()) {
                return reusable;
            }
            closeQuietly(reusable);
        }
        Transport transport = session.getTransport("smtp");
        try {
            transport.connect(settings.host(), settings.port(), settings.username().orElse(null),
                    settings.password().orElse(null));
        } catch (MessagingException | RuntimeException e) {
            closeQuietly(transport);
            throw e;
        }
        return transport;
    }

    private synchronized Transport takeIdle() {
        long now = System.nanoTime();
        while (!idle.isEmpty()) {
            Idle candidate = idle.pollFirst();
            if (now - candidate.since() < MAX_IDLE.toNanos()) {
                return candidate.transport();
            }
            closeQuietly(candidate.transport());
        }
        return null;
    }

    private void giveBack(Transport transport) {
        synchronized (this) {
            if (!closed && idle.size() < maxIdle) {
                idle.addFirst(new Idle(transport, System.nanoTime()));
                return;
            }
        }
        closeQuietly(transport);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            idle.forEach(i -> closeQuietly(i.transport()));
            idle.clear();
        }
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing an SMTP connection: {0}", e.getMessage());
        }
    }

    private record Idle(Transport transport, long since) {
    }
}
