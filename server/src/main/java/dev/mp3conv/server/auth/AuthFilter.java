package dev.mp3conv.server.auth;

import java.util.Optional;

import dev.mp3conv.server.http.ProblemException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;

/**
 * Authenticates API requests: reads {@code Authorization: Bearer …}, verifies it, and registers the
 * {@link Principal} in the request context. Handlers call {@link #principal(ServerRequest)}.
 */
public final class AuthFilter {
    private final TokenVerifier verifier;

    /**
     * New filter.
     *
     * @param verifier token verifier
     */
    public AuthFilter(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    /**
     * A route handler to put before protected routes ({@code rules.any("/api/v1/jobs", filter.handler())}):
     * authenticates, then passes the request on.
     *
     * @return the handler
     */
    public Handler handler() {
        return (req, res) -> {
            authenticate(req);
            res.next();
        };
    }

    /**
     * The caller registered by {@link #handler()} or {@link #authenticate(ServerRequest)}.
     *
     * @param req the request
     * @return the caller
     * @throws ProblemException 401 when the request was not authenticated
     */
    public static Principal principal(ServerRequest req) {
        return req.context().get(Principal.class, Principal.class)
                .orElseThrow(() -> ProblemException.unauthorized("missing bearer token"));
    }

    /**
     * The caller of a request, verified.
     *
     * @param req the request
     * @return the caller
     * @throws ProblemException 401 when there is no valid bearer token
     */
    public Principal authenticate(ServerRequest req) {
        Optional<Principal> known = req.context().get(Principal.class, Principal.class);
        if (known.isPresent()) {
            return known.get();
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION)
                .orElseThrow(() -> ProblemException.unauthorized("missing bearer token"));
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.unauthorized("missing bearer token");
        }
        Principal principal = verifier.verify(header.substring(7).trim())
                .orElseThrow(() -> ProblemException.invalidToken("invalid or expired token"));
        req.context().register(Principal.class, principal);
        return principal;
    }
}
