package dev.mp3conv.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.mp3conv.server.http.RequestDeadlines;
import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;

/**
 * The sockets of a process and what guards them: the public listener's connection cap and request
 * time limits ({@link ConnectionLimits}), a clear startup failure when a port cannot be bound, and
 * the {@link ListenerWatchdog} that turns a listener Helidon gave up on into readiness DOWN and a
 * non-zero exit.
 */
final class Listeners implements AutoCloseable {
    private static final Duration WATCH_PERIOD = Duration.ofSeconds(2);
    private static final String API_SETTINGS = "server.host/server.port (SERVER_HOST, SERVER_PORT)";
    private static final String ADMIN_SETTINGS = "admin.host/admin.port (ADMIN_HOST, ADMIN_PORT)";

    private final String host;
    private final int port;
    private final String adminHost;
    private final int adminPort;
    private final ConnectionLimits limits;
    private final RequestDeadlines deadlines;
    private volatile ListenerWatchdog watchdog;

    private Listeners(Config config, ConnectionLimits limits, RequestDeadlines deadlines) {
        this.host = Settings.text(config.get("server.host"));
        this.port = Settings.integer(config.get("server.port"));
        this.adminHost = Settings.text(config.get("admin.host"));
        this.adminPort = Settings.integer(config.get("admin.port"));
        this.limits = limits;
        this.deadlines = deadlines;
    }

    static Listeners open(Config config, MeterRegistry meters) {
        ConnectionLimits limits = ConnectionLimits.from(config.get("server"));
        return new Listeners(config, limits, new RequestDeadlines(limits.headerTimeout(), limits.bodyIdleTimeout(),
                limits.maxConnections(), meters));
    }

    /** Sets both sockets' addresses and the public listener's limits on the server being built. */
    void configure(WebServerConfig.Builder builder) {
        builder.putSocket(Mp3convServer.ADMIN, socket -> socket.host(adminHost).port(adminPort));
        builder.host(host)
                .port(port)
                // the limit itself is kept at the accept (RequestDeadlines: idle clients make room for new ones);
                // Helidon's cap, a little above it, bounds descriptors while closed connections are let go
                .maxTcpConnections(limits.maxConnections() < 0 ? -1 : limits.maxConnections() + limits.maxConnections() / 8 + 8)
                // TCP_NODELAY: without it a kept-alive client waited 40-48 ms for every answer (the server's
                // Nagle delay meeting the client's delayed ACK; measured with curl on one connection)
                .connectionOptions(deadlines.connectionOptions(SocketOptions.builder().tcpNoDelay(true).build()))
                // Helidon closes a connection that sends no request line this long after connecting or
                // after its last answer (keep-alive connections that idle, clients that never speak)
                .idleConnectionTimeout(limits.headerTimeout())
                .idleConnectionPeriod(Duration.ofMillis(Math.clamp(limits.headerTimeout().toMillis() / 4, 50, 5000)))
                .addProtocol(Http1Config.builder()
                        .addReceiveListener(deadlines.receiving())
                        .addSendListener(deadlines.sending())
                        .build());
    }

    /** Times request bodies on the public routing. */
    void register(HttpRouting.Builder routing) {
        deadlines.register(routing);
    }

    /**
     * Starts the server; a socket that could not be bound is one clear line, not a server on port -1.
     *
     * @throws StartupException when a listener did not start
     */
    WebServer start(WebServer server) {
        // bound once before Helidon tries: it would log a stack trace and go on with port -1
        checkBindable("API", host, port, API_SETTINGS);
        checkBindable("admin", adminHost, adminPort, ADMIN_SETTINGS);
        server.start();
        boolean api = server.port() > 0;
        boolean admin = server.port(Mp3convServer.ADMIN) > 0;
        if (!api || !admin) {
            server.stop();
            throw api
                    ? new StartupException(cannotBind("admin", adminHost, adminPort, ADMIN_SETTINGS, "it could not be bound"))
                    : new StartupException(cannotBind("API", host, port, API_SETTINGS, "it could not be bound"));
        }
        watchdog = new ListenerWatchdog("API", host, server.port(), WATCH_PERIOD);
        return server;
    }

    private static void checkBindable(String what, String host, int port, String settings) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | RuntimeException e) {
            throw new StartupException(cannotBind(what, host, port, settings, e.getMessage()), e);
        }
    }

    private static String cannotBind(String what, String host, int port, String settings, String reason) {
        return "cannot listen for the " + what + " on " + host + ":" + port + " (" + reason + "); check " + settings;
    }

    boolean alive() {
        ListenerWatchdog dog = watchdog;
        return dog == null || dog.alive();
    }

    CompletableFuture<String> failure() {
        ListenerWatchdog dog = watchdog;
        return dog == null ? new CompletableFuture<>() : dog.failure();
    }

    @Override
    public void close() {
        ListenerWatchdog dog = watchdog;
        if (dog != null) {
            dog.close();
        }
        deadlines.close();
    }
}
