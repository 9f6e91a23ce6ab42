package dev.mp3conv.server;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.mp3conv.server.auth.AuthRole;
import dev.mp3conv.server.auth.AuthSettings;
import dev.mp3conv.server.auth.TokenVerifier;
import dev.mp3conv.server.converter.ConverterRole;
import dev.mp3conv.server.converter.ConverterSettings;
import dev.mp3conv.server.gateway.GatewayRole;
import dev.mp3conv.server.gateway.GatewaySettings;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.http.Problems;
import dev.mp3conv.server.jobs.ExpirySweep;
import dev.mp3conv.server.jobs.JobSweeper;
import dev.mp3conv.server.jobs.SweeperSettings;
import dev.mp3conv.server.jobs.UploadExpiry;
import dev.mp3conv.server.jobs.UploadRepository;
import dev.mp3conv.server.notify.NotifierRole;
import dev.mp3conv.server.notify.NotifierSettings;
import dev.mp3conv.server.notify.WebhookService;
import dev.mp3conv.server.notify.WebhookSettings;
import dev.mp3conv.server.queue.QueueSettings;
import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.health.HealthObserverConfig;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * One mp3conv process: the backend, the enabled roles, the public socket (API) and the admin socket
 * ({@code /observe/health}, {@code /observe/metrics}). {@link #close()} shuts down in order: stop
 * accepting requests, stop consumers (in-flight work finishes or is released), close the stores.
 */
public final class Mp3convServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Mp3convServer.class.getName());
    static final String ADMIN = "admin";
    /** Videos, jobs, tombstones, orphan blobs and storage counts handled per step of one sweep. */
    private static final int RETENTION_BATCH = 100;

    private final Backend backend;
    private final List<RoleComponent> components;
    private final JobSweeper sweeper;
    private final WebServer server;
    private final Listeners listeners;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Mp3convServer(Backend backend, List<RoleComponent> components, JobSweeper sweeper, WebServer server,
                          Listeners listeners) {
        this.backend = backend;
        this.components = components;
        this.sweeper = sweeper;
        this.server = server;
        this.listeners = listeners;
    }

    /**
     * Picks the gateway's token verifier: the test seam that lets gateway tests and benchmarks
     * authenticate without the auth role's keys.
     */
    @FunctionalInterface
    interface Verifiers {
        /**
         * The verifier for this process.
         *
         * @param backend shared infrastructure
         * @param auth    the {@code auth} settings
         * @param local   the auth role of this process, if any
         * @return the verifier
         */
        TokenVerifier choose(Backend backend, AuthSettings auth, Optional<AuthRole> local);
    }

    /**
     * Starts a process with the roles its configuration names.
     *
     * @param config configuration
     * @return the running server
     * @throws StartupException with one clear line when it cannot start
     */
    public static Mp3convServer start(Config config) {
        return start(config, AuthRole::verifier);
    }

    /**
     * Starts a process whose gateway verifies tokens with a verifier of the caller's choosing. Each
     * component's settings are read here, once, from its own node, and handed to it; no role sees the
     * configuration root.
     *
     * @param config    configuration
     * @param verifiers picks the gateway's token verifier
     * @return the running server
     */
    static Mp3convServer start(Config config, Verifiers verifiers) {
        AppSettings app = AppSettings.from(config.get("app"));
        QueueSettings queue = QueueSettings.from(config.get("queue"));
        SweeperSettings sweeping = SweeperSettings.from(config.get("sweeper"));
        Set<Role> roles = app.roles();
        Backend backend = Backend.open(config, roles, queue, Clock.systemUTC());
        List<RoleComponent> components = new ArrayList<>();
        try {
            AuthSettings authSettings = roles.contains(Role.AUTH) || roles.contains(Role.GATEWAY)
                    ? AuthSettings.from(config.get("auth")) : null;
            Optional<AuthRole> auth = roles.contains(Role.AUTH)
                    ? Optional.of(AuthRole.create(backend, authSettings)) : Optional.empty();
            auth.ifPresent(components::add);
            WebhookSettings webhooks = roles.contains(Role.GATEWAY) || roles.contains(Role.NOTIFIER)
                    ? WebhookSettings.from(config.get("webhooks")) : null;
            if (roles.contains(Role.GATEWAY)) {
                TokenVerifier verifier = verifiers.choose(backend, authSettings, auth);
                components.add(GatewayRole.create(backend,
                        GatewaySettings.from(config.get("gateway"), app.publicUrl(), authSettings.url()), verifier));
                components.add(WebhookService.component(backend, webhooks, verifier));
            }
            if (roles.contains(Role.CONVERTER)) {
                components.add(ConverterRole.create(backend,
                        ConverterSettings.from(config.get("converter"), queue.deliveryLimit()), sweeping));
            }
            if (roles.contains(Role.NOTIFIER)) {
                components.add(NotifierRole.create(backend, NotifierSettings.from(config.get("notify"),
                        config.get("smtp"), app.publicUrl(), queue.deliveryLimit()), webhooks));
            }
            // readiness stays DOWN until consumers, recovery and the sweeper run, so neither a load
            // balancer nor a SIGTERM races a half-started process
            AtomicBoolean started = new AtomicBoolean();
            Listeners listeners = Listeners.open(config, backend.meters());
            WebServer server;
            try {
                server = listeners.start(webServer(config, backend, components, started, listeners));
            } catch (RuntimeException e) {
                listeners.close();
                throw e;
            }
            JobSweeper sweeper = new JobSweeper(backend.jobs(), backend.queue(), sweeping.grace(), sweeping.stale(),
                    backend.blobs()::deleteAbandonedWrites,
                    new UploadExpiry(new UploadRepository(backend.mongo(), backend.clock()),
                            backend.blobs())::deleteExpired,
                    new ExpirySweep(backend.jobs(), backend.blobs(), backend.quota(), RETENTION_BATCH));
            backend.queue().onReconnect(sweeper::publishUnconfirmed);
            if (backend.embedded()) {
                // the embedded store belongs to this process: uploads counted by its previous run died with it
                backend.quota().reconcileAllAfterRestart();
            }
            components.forEach(RoleComponent::start);
            if (!backend.queue().durable()) {
                sweeper.recoverAfterRestart();
            }
            if (roles.contains(Role.GATEWAY) || roles.contains(Role.CONVERTER)) {
                sweeper.start(sweeping.interval());
            }
            started.set(true);
            LOG.log(System.Logger.Level.INFO, "mp3conv up: roles {0}, API on port {1}, admin on port {2}",
                    roles, String.valueOf(server.port()), String.valueOf(server.port(ADMIN)));
            return new Mp3convServer(backend, components, sweeper, server, listeners);
        } catch (RuntimeException e) {
            components.forEach(RoleComponent::close);
            backend.close();
            throw e;
        }
    }

    private static WebServer webServer(Config config, Backend backend, List<RoleComponent> components,
                                       AtomicBoolean started, Listeners listeners) {
        HealthObserverConfig.Builder health = HealthObserver.builder().details(true).useSystemServices(false)
                .addCheck(check("store", () -> backend.mongo().reachable() && backend.blobs().reachable()),
                        HealthCheckType.READINESS)
                .addCheck(check("queue", () -> backend.queue().ready()), HealthCheckType.READINESS)
                .addCheck(check("started", started::get), HealthCheckType.READINESS)
                .addCheck(check("listener", listeners::alive), HealthCheckType.READINESS);
        components.forEach(c -> c.healthChecks().forEach(health::addCheck));
        ObserveFeature observe = ObserveFeature.builder()
                .sockets(List.of(ADMIN))
                .addObserver(health.build())
                .addObserver(MetricsObserver.create())
                .build();
        WebServerConfig.Builder builder = WebServer.builder()
                .shutdownHook(false)
                .addFeature(observe)
                .routing(routing -> {
                    listeners.register(routing);
                    routing(routing, components);
                });
        listeners.configure(builder);
        components.forEach(c -> c.features().forEach(builder::addFeature));
        return builder.build();
    }

    static void routing(HttpRouting.Builder routing, List<RoleComponent> components) {
        Problems.register(routing);
        components.forEach(c -> c.routing(routing));
        routing.any((req, res) -> {
            throw ProblemException.notFound("no such resource: " + req.prologue().method().text() + " " + req.path().path());
        });
    }

    private static HealthCheck check(String name, java.util.function.BooleanSupplier up) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder().status(up.getAsBoolean()).build();
            }
        };
    }

    /**
     * Port of the public socket.
     *
     * @return port
     */
    public int port() {
        return server.port();
    }

    /**
     * Port of the admin socket.
     *
     * @return port
     */
    public int adminPort() {
        return server.port(ADMIN);
    }

    /**
     * Completes, with one line for the operator, when the public listener stopped for good; the process
     * should then exit non-zero.
     *
     * @return failure of the public listener
     */
    public CompletableFuture<String> failure() {
        return listeners.failure();
    }

    /**
     * The shared infrastructure (tests inspect stores and queue through it).
     *
     * @return backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The running role components.
     *
     * @return components in start order
     */
    public List<RoleComponent> components() {
        return List.copyOf(components);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "shutting down");
        listeners.close();
        server.stop();
        sweeper.close();
        for (int i = components.size() - 1; i >= 0; i--) {
            try {
                components.get(i).close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "while stopping a role", e);
            }
        }
        backend.close();
        LOG.log(System.Logger.Level.INFO, "stopped");
    }
}
