package dev.mp3conv.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices a public listener that stopped accepting for good. Helidon 4.5 ends a listener on any
 * error of {@code accept()} (such as "Too many open files") while the process, its admin socket
 * and its health checks go on as if nothing happened. Every {@code period} this connects to the
 * listener's own port: a refused connection means no socket listens there any more (a full accept
 * queue still completes the TCP handshake, and a local failure such as no free descriptor for the
 * probe itself proves nothing and is tried again). Once dead, {@link #alive()} is false (readiness
 * goes DOWN) and {@link #failure()} completes, on which the process exits non-zero so an orchestrator
 * restarts it.
 */
final class ListenerWatchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ListenerWatchdog.class.getName());

    private final String name;
    private final InetSocketAddress target;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private volatile boolean alive = true;

    ListenerWatchdog(String name, String host, int port, Duration period) {
        this.name = name;
        this.target = new InetSocketAddress(probeAddress(host), port);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("listener-watchdog").factory());
        timer.scheduleWithFixedDelay(this::probe, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static InetAddress probeAddress(String host) {
        try {
            InetAddress bound = InetAddress.getByName(host);
            // a wildcard listener is reachable on loopback
            return bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
        } catch (IOException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    private void probe() {
        try (Socket socket = new Socket()) {
            socket.connect(target, 2000);
        } catch (ConnectException e) {
            if (alive) {
                alive = false;
                String message = "the " + name + " listener on port " + target.getPort()
                        + " stopped accepting connections (see the error logged before); exiting so the process is restarted";
                LOG.log(System.Logger.Level.ERROR, message);
                failure.complete(message);
                timer.shutdown();
            }
        } catch (IOException | RuntimeException e) {
            // e.g. no descriptor left for the probe: says nothing about the listener, try again later
            LOG.log(System.Logger.Level.DEBUG, "listener probe failed: {0}", e.toString());
        }
    }

    /**
     * Whether the listener still accepted connections at the last probe.
     *
     * @return false once it was found dead
     */
    boolean alive() {
        return alive;
    }

    /**
     * Completes, with one line for the operator, once the listener was found dead.
     *
     * @return failure
     */
    CompletableFuture<String> failure() {
        return failure;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
