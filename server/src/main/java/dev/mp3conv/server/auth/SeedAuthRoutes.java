package dev.mp3conv.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.http.ProblemException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The course system's routes, kept so its clients work: {@code POST /login} (HTTP Basic → the raw JWT
 * as text) and {@code POST /validate} (Bearer → the token's claims as JSON, 403 otherwise).
 */
final class SeedAuthRoutes implements HttpService {
    private final PasswordLogin login;
    private final JwtVerifier verifier;
    private final ClientAddress clientAddress;

    SeedAuthRoutes(PasswordLogin login, JwtVerifier verifier, ClientAddress clientAddress) {
        this.login = login;
        this.verifier = verifier;
        this.clientAddress = clientAddress;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/login", this::login)
                .post("/validate", this::validate);
    }

    private void login(ServerRequest req, ServerResponse res) {
        String[] basic = basicCredentials(req);
        TokenIssuer.IssuedToken token = login.login(basic[0], basic[1], clientAddress.of(req));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(token.token());
    }

    private static String[] basicCredentials(ServerRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw ProblemException.unauthorized("invalid credentials");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProblemException.unauthorized("invalid credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw ProblemException.unauthorized("invalid credentials");
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private void validate(ServerRequest req, ServerResponse res) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ProblemException.forbidden("not authorized");
        }
        JWTClaimsSet claims = verifier.claims(header.substring(7).strip())
                .orElseThrow(() -> ProblemException.forbidden("not authorized"));
        Map<String, Object> body = new LinkedHashMap<>(claims.toJSONObject());
        // the course system's gateway reads "username"
        body.putIfAbsent("username", body.get("email"));
        try {
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.mapper().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise claims", e);
        }
    }
}
