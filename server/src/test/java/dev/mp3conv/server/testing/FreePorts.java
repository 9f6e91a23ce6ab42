package dev.mp3conv.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for servers a test starts in another process or on a fixed setting, below the kernel's ephemeral range
 * (32768–60999 here): a port the kernel handed out for {@code bind(0)} can be taken again by any outgoing
 * connection before the child process binds it (a converter once failed to start with "Address already in use").
 * Each call of this JVM gets another port, so two children started one after the other never share one.
 */
public final class FreePorts {
    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    private static final AtomicInteger NEXT = new AtomicInteger(
            FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST));

    private FreePorts() {
    }

    /**
     * A port on 127.0.0.1 that nothing listens on now.
     *
     * @return the port
     */
    public static int next() {
        for (int tries = 0; tries < LAST - FIRST; tries++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement() - FIRST, LAST - FIRST);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new UncheckedIOException(new IOException("no free port in " + FIRST + "-" + LAST));
    }
}
