package dev.mp3conv.server;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ListenerWatchdogTest {
    @Test
    void aListeningSocketStaysAliveThroughManyProbes() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             ListenerWatchdog watchdog = new ListenerWatchdog("API", "0.0.0.0", listener.getLocalPort(), Duration.ofMillis(20))) {
            AtomicInteger probes = new AtomicInteger();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try (Socket probe = listener.accept()) {
                        probes.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> probes.get() >= 5);
            assertThat(watchdog.alive()).isTrue();
            assertThat(watchdog.failure()).isNotDone();
            listener.close();
            acceptor.join();
        }
    }

    @Test
    void aListenerThatClosedIsReportedOnceWithOneLine() throws Exception {
        ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        int port = listener.getLocalPort();
        try (ListenerWatchdog watchdog = new ListenerWatchdog("API", "127.0.0.1", port, Duration.ofMillis(20))) {
            listener.close();
            String line = watchdog.failure().get(10, TimeUnit.SECONDS);
            assertThat(watchdog.alive()).isFalse();
            assertThat(line).startsWith("the API listener on port " + port + " stopped accepting connections")
                    .doesNotContain("\n");
        }
    }
}
