package dev.mp3conv.server;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import com.sun.management.UnixOperatingSystemMXBean;
import io.helidon.config.Config;

/**
 * Limits of the public listener (config node {@code server}): how many connections it holds open,
 * how long a request's headers may take, how long a request body may stall.
 *
 * @param maxConnections  open connections at most: beyond it a new connection displaces the one waiting
 *                        longest for its headers, or is closed at once when none is
 * @param headerTimeout   a connection must send a complete request line and headers within this
 * @param bodyIdleTimeout a request body that sends nothing for this long is cut
 */
record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyIdleTimeout) {
    /** Most connections the default allows, whatever the descriptor limit (each costs memory too). */
    static final int DEFAULT_CAP = 10_000;
    /** Heap budgeted per open connection by the default. */
    static final long HEAP_PER_CONNECTION = 128 * 1024;

    static ConnectionLimits from(Config server) {
        int max = server.get("max-connections").asInt().orElseGet(ConnectionLimits::defaultMax);
        if (max < -1 || max == 0) {
            throw new StartupException("configuration server.max-connections: must be a positive number, or -1 for no limit");
        }
        Duration header = Settings.duration(server.get("header-timeout"));
        Duration body = Settings.duration(server.get("body-idle-timeout"));
        if (header.isNegative() || header.isZero() || body.isNegative() || body.isZero()) {
            throw new StartupException("configuration server.header-timeout and server.body-idle-timeout must be positive");
        }
        return new ConnectionLimits(max, header, body);
    }

    /**
     * The smaller of: half the process's open-file limit (the rest is for stores, blobs, ffmpeg pipes, the
     * admin socket; Helidon's backstop sits an eighth above the limit); one connection per
     * {@value #HEAP_PER_CONNECTION} bytes of maximum heap (an open connection held about 46 KiB of heap
     * in bench/slow-clients.sh, so at most about a third of the heap goes to idle connections); and
     * {@value #DEFAULT_CAP}.
     */
    static int defaultMax() {
        long byHeap = Runtime.getRuntime().maxMemory() / HEAP_PER_CONNECTION;
        long byDescriptors = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() / 2 : 1024;
        return (int) Math.clamp(Math.min(byHeap, byDescriptors), 16, DEFAULT_CAP);
    }
}
