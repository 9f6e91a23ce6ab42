package dev.mp3conv.server;

import java.util.List;

import io.helidon.health.HealthCheck;
import io.helidon.webserver.http.HttpRouting;

/**
 * What one role adds to the process: routes, background work (queue consumers), health checks.
 * {@link Mp3convServer} asks each enabled role for its component and drives their life cycle.
 */
public interface RoleComponent extends AutoCloseable {
    /**
     * Adds this role's routes to the public socket.
     *
     * @param routing public routing
     */
    default void routing(HttpRouting.Builder routing) {
    }

    /**
     * Web server features this role needs on the public socket (e.g. CORS for some of its routes).
     *
     * @return features, possibly none
     */
    default List<io.helidon.webserver.spi.ServerFeature> features() {
        return List.of();
    }

    /**
     * Starts background work once the web server is up.
     */
    default void start() {
    }

    /**
     * Readiness checks of this role.
     *
     * @return checks, possibly none
     */
    default List<HealthCheck> healthChecks() {
        return List.of();
    }

    /**
     * Stops background work: stop taking new work, finish or release what is in flight.
     */
    @Override
    default void close() {
    }
}
