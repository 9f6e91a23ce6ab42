package dev.mp3conv.server.gateway;

import java.util.List;
import java.util.Set;

import io.helidon.webserver.cors.CorsFeature;
import io.helidon.webserver.spi.ServerFeature;

/**
 * CORS for {@code /api/v1/uploads}, as tus-js-client needs it in a browser on another origin: the preflight
 * admits the tus request headers and the bearer token, and the tus answer headers (the upload's
 * {@code Location}, its offset) are exposed to the page's script.
 *
 * <p>Request headers are allowed with {@code *}, which the feature answers by echoing the requested names
 * (so {@code Authorization} is named explicitly, as browsers require): with a list, Helidon 4.5.0 does not
 * split {@code Access-Control-Request-Headers: authorization,tus-resumable} (no spaces, as Chrome and
 * Firefox send it) and denies the preflight. The API takes bearer tokens only, so no header grants more.
 */
final class TusCors {
    static final List<String> EXPOSE_HEADERS = List.of("Location", "Tus-Resumable", "Tus-Version", "Tus-Extension",
            "Tus-Max-Size", "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length", "Upload-Metadata",
            "Upload-Expires");

    private TusCors() {
    }

    static ServerFeature feature(TusConfig config) {
        return CorsFeature.create(cors -> cors
                .addDefaults(false)
                .addPath(path -> path.pathPattern(TusService.PATH)
                        .allowOrigins(Set.copyOf(config.corsOrigins()))
                        .allowMethods(Set.of("POST", "HEAD", "PATCH", "DELETE", "OPTIONS"))
                        .allowHeaders(Set.of("*"))
                        .exposeHeaders(Set.copyOf(EXPOSE_HEADERS)))
                .addPath(path -> path.pathPattern(TusService.PATH + "/*")
                        .allowOrigins(Set.copyOf(config.corsOrigins()))
                        .allowMethods(Set.of("POST", "HEAD", "PATCH", "DELETE", "OPTIONS"))
                        .allowHeaders(Set.of("*"))
                        .exposeHeaders(Set.copyOf(EXPOSE_HEADERS))));
    }
}
