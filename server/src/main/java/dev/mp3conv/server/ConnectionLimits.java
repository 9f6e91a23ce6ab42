package dev.mp3conv.server;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import com.sun.management.UnixOperatingSystemMXBean;
import io.helidon.config.Config;

/**
 * Limits of the public listener (config node {@code server}): how many connections it holds open,
 * how long a request's headers may take, how long a request body may stall.
 *
 * @param maxConnections  open connections at most; further clients wait in the accept queue, beyond it
 *                        they are refused by the kernel
 * @param headerTimeout   a connection must send a complete request line and headers within this
 * @param bodyIdleTimeout a request body that sends nothing for this long is cut
 */
record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyIdleTimeout) {
    /** Most connections the default allows, whatever the descriptor limit (each costs memory too). */
    static final int DEFAULT_CAP = 10_000;

    static ConnectionLimits from(Config server) {
        int max = server.get("max-connections").asInt().orElseGet(ConnectionLimits::defaultMax);
        if (max < -1 || max == 0) {
            throw new StartupException("configuration server.max-connections: must be a positive number, or -1 for no limit");
        }
        Duration header = Settings.duration(server.get("header-timeout"), Duration.ofSeconds(30));
        Duration body = Settings.duration(server.get("body-idle-timeout"), Duration.ofMinutes(2));
        if (header.isNegative() || header.isZero() || body.isNegative() || body.isZero()) {
            throw new StartupException("configuration server.header-timeout and server.body-idle-timeout must be positive");
        }
        return new ConnectionLimits(max, header, body);
    }

    /**
     * Half the process's open-file limit (the other half is for stores, blobs, ffmpeg pipes, the admin
     * socket), at most {@value #DEFAULT_CAP}.
     */
    static int defaultMax() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long half = unix.getMaxFileDescriptorCount() / 2;
            return (int) Math.clamp(half, 16, DEFAULT_CAP);
        }
        return 1024;
    }
}
