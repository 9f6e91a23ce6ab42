package dev.mp3conv.server.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Time limits Helidon 4.5 does not have: a request's headers must be complete within
 * {@code headerTimeout} of its request line, and a request body must not stall (no byte read) for
 * longer than {@code bodyIdleTimeout}. A connection over either limit is closed, so the handler
 * reading it fails and cleans up (an upload deletes what it stored). A new connection's first
 * request is due within {@code headerTimeout} of the accept, so a client that never sends a byte is
 * closed too.
 *
 * <p>It also keeps the connection limit: at {@code maxConnections} open connections a new one takes the
 * place of the connection that has waited longest for its headers or, idle, for its next request (which
 * is closed), so idle or slow clients cannot keep a prompt one out; only when every open connection is
 * busy with a request is the new one refused. Helidon's own cap ({@code max-tcp-connections}, a little
 * higher) stays the backstop that keeps descriptors bounded.
 *
 * <p>It watches each connection from the accept ({@link #connectionOptions}), hears of each request
 * line and header block from the HTTP/1 connection ({@link #receiving()}), times each blocking read of
 * a request body through a routing filter ({@link #register}), and stops timing once a response
 * status is sent ({@link #sending()}: a long download or event stream is not a stalled request).
 * Helidon 4.5 has no such limits of its own: its idle timeout only closes connections waiting for a
 * request line, and its data listeners are never called. A sweeper thread closes overdue connections
 * and forgets closed ones, so memory stays bounded by the open connections (themselves capped by
 * {@code server.max-connections}).
 */
public final class RequestDeadlines implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RequestDeadlines.class.getName());

    private final long headerNanos;
    private final long bodyIdleNanos;
    /** By the client's address and port, which is unique among the listener's open connections. */
    private final Map<SocketAddress, Deadline> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private final Counter headersCut;
    private final Counter bodiesCut;
    private final int maxConnections;
    private final Counter evicted;
    private final Counter refused;

    /**
     * Starts the sweeper.
     *
     * @param headerTimeout   longest time from a request line to the end of its headers
     * @param bodyIdleTimeout longest pause while a request body is read
     * @param maxConnections  open connections at most, -1 for no limit: at the limit a new connection
     *                        takes the place of the one that has waited longest for its headers or its
     *                        next request, and is refused (closed at once) when every open one is busy
     * @param meters          where cut connections are counted ({@code mp3conv.http.deadline.closed},
     *                        {@code mp3conv.http.connections.shed})
     */
    public RequestDeadlines(Duration headerTimeout, Duration bodyIdleTimeout, int maxConnections, MeterRegistry meters) {
        this.maxConnections = maxConnections;
        this.evicted = meters.getOrCreate(Counter.builder("mp3conv.http.connections.shed")
                .description("connections closed at the connection limit").tags(List.of(Tag.create("outcome", "evicted"))));
        this.refused = meters.getOrCreate(Counter.builder("mp3conv.http.connections.shed")
                .description("connections closed at the connection limit").tags(List.of(Tag.create("outcome", "refused"))));
        this.headerNanos = headerTimeout.toNanos();
        this.bodyIdleNanos = bodyIdleTimeout.toNanos();
        this.headersCut = meters.getOrCreate(Counter.builder("mp3conv.http.deadline.closed")
                .description("connections closed for a slow request").tags(List.of(Tag.create("phase", "headers"))));
        this.bodiesCut = meters.getOrCreate(Counter.builder("mp3conv.http.deadline.closed")
                .description("connections closed for a slow request").tags(List.of(Tag.create("phase", "body"))));
        // a tenth of the shorter limit keeps the overshoot small; at most once a second
        long period = Math.clamp(Math.min(headerNanos, bodyIdleNanos) / 10, TimeUnit.MILLISECONDS.toNanos(50),
                TimeUnit.SECONDS.toNanos(1));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("request-deadlines").factory());
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * The listener for what the server receives.
     *
     * @return receive listener
     */
    public Http1ConnectionListener receiving() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                Deadline deadline = connections.get(ctx.remotePeer().address());
                // the first request's headers are due within the limit of the connection's start
                if (deadline != null && deadline.phase != Phase.HEADERS) {
                    deadline.headers(System.nanoTime() + headerNanos);
                }
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                // from here on only a read of the body that blocks is timed (see register)
                Deadline deadline = connections.get(ctx.remotePeer().address());
                if (deadline != null) {
                    deadline.busy();
                }
            }
        };
    }

    /**
     * The listener for what the server sends.
     *
     * @return send listener
     */
    public Http1ConnectionListener sending() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                Deadline deadline = connections.get(ctx.remotePeer().address());
                if (deadline != null) {
                    deadline.busy();
                }
            }
        };
    }

    /**
     * The options for accepted connections: {@code base}'s, and each accepted connection is watched
     * from that moment (Helidon calls this on accept, before it reads a byte; its own idle timeout only
     * covers connections that sent a first request line).
     *
     * @param base the socket options to apply
     * @return options that also register the connection
     */
    public SocketOptions connectionOptions(SocketOptions base) {
        return new AcceptHookOptions(base, this::accepted);
    }

    /** Runs on the listener's one accepting thread, so admissions do not race each other. */
    private void accepted(SocketChannel channel) {
        SocketAddress peer;
        try {
            peer = channel.getRemoteAddress();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "accepted connection already gone", e);
            return;
        }
        if (peer == null) {
            return;
        }
        if (maxConnections > 0 && connections.size() >= maxConnections && !makeRoom()) {
            refused.increment();
            // Helidon closes a connection whose setup throws, and goes on accepting
            throw new UncheckedIOException(new IOException("connection limit of " + maxConnections + " reached"));
        }
        Deadline deadline = new Deadline(channel);
        deadline.headers(System.nanoTime() + headerNanos);
        connections.put(peer, deadline);
    }

    /**
     * Frees one place: a connection already closed, else the one that has waited longest for its
     * headers (an idle or slow client; one sending a body or being answered is never taken).
     */
    private boolean makeRoom() {
        SocketAddress oldestPeer = null;
        Deadline oldest = null;
        for (Map.Entry<SocketAddress, Deadline> entry : connections.entrySet()) {
            Deadline deadline = entry.getValue();
            if (!deadline.channel.isOpen()) {
                return connections.remove(entry.getKey(), deadline);
            }
            if ((deadline.phase == Phase.HEADERS || deadline.phase == Phase.IDLE)
                    && (oldest == null || deadline.since - oldest.since < 0)) {
                oldestPeer = entry.getKey();
                oldest = deadline;
            }
        }
        if (oldest == null || !connections.remove(oldestPeer, oldest)) {
            return false;
        }
        evicted.increment();
        closeQuietly(oldest.channel);
        return true;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "while closing a connection", e);
        }
    }

    /**
     * Times the reads of a request body: a read that blocks longer than the body-idle limit (the
     * client sent nothing meanwhile) gets its connection closed. Time the handler spends between reads
     * (writing to a slow store) is not the client's stall and is not counted.
     *
     * @param routing routing whose requests' bodies are timed
     */
    public void register(HttpRouting.Builder routing) {
        routing.addFilter((chain, req, res) -> {
            Deadline deadline = connections.get(req.remotePeer().address());
            if (deadline == null) {
                chain.proceed();
                return;
            }
            req.streamFilter(in -> new TimedInput(in, deadline));
            try {
                chain.proceed();
            } finally {
                // the handler is done and its answer sent: the connection only waits for a next request now
                deadline.idle();
            }
        });
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.forEach((peer, deadline) -> {
            if (!deadline.channel.isOpen()) {
                connections.remove(peer, deadline);
                return;
            }
            Phase phase = deadline.phase;
            if ((phase == Phase.HEADERS || phase == Phase.BODY) && now - deadline.at > 0) {
                connections.remove(peer, deadline);
                (phase == Phase.HEADERS ? headersCut : bodiesCut).increment();
                LOG.log(System.Logger.Level.DEBUG, "closing {0}: request {1} too slow", peer,
                        phase == Phase.HEADERS ? "headers" : "body");
                closeQuietly(deadline.channel);
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        connections.clear();
    }

    /**
     * Where a connection is: awaiting headers (timed), inside a blocking body read (timed), busy with a
     * request otherwise (handler running, answer streaming: not timed, never displaced), or idle between
     * requests (not timed here, Helidon's idle timeout closes it; may be displaced).
     */
    private enum Phase { HEADERS, BODY, BUSY, IDLE }

    /** One connection's current limit; written by its own thread, read by the sweeper. */
    private static final class Deadline {
        private final SocketChannel channel;
        private volatile Phase phase = Phase.IDLE;
        private volatile long at;
        /** When the present wait for headers or for a next request began (the oldest is displaced first). */
        private volatile long since = System.nanoTime();

        private Deadline(SocketChannel channel) {
            this.channel = channel;
        }

        private void headers(long until) {
            since = System.nanoTime();
            at = until;
            phase = Phase.HEADERS;
        }

        private void idle() {
            since = System.nanoTime();
            phase = Phase.IDLE;
        }

        private void body(long until) {
            at = until;
            phase = Phase.BODY;
        }

        private void busy() {
            phase = Phase.BUSY;
        }
    }

    /** A body stream whose blocking reads run against the body-idle limit. */
    private final class TimedInput extends FilterInputStream {
        private final Deadline deadline;

        private TimedInput(InputStream in, Deadline deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            deadline.body(System.nanoTime() + bodyIdleNanos);
            try {
                return super.read();
            } finally {
                deadline.busy();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            deadline.body(System.nanoTime() + bodyIdleNanos);
            try {
                return super.read(b, off, len);
            } finally {
                deadline.busy();
            }
        }
    }
}
