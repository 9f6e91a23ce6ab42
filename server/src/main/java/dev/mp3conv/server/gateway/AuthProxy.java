package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.http.ProblemException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Forwards the auth routes to the auth service when this gateway runs without the auth role, so the
 * gateway stays the single entry point (the Ingress, and the course system's clients, only ever talk
 * to it). Bodies of these routes are small JSON or credentials; they are forwarded whole, bounded.
 */
final class AuthProxy implements RoleComponent {
    private static final System.Logger LOG = System.getLogger(AuthProxy.class.getName());
    private static final int MAX_BODY = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final HeaderName FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final List<HeaderName> REQUEST_HEADERS = List.of(HeaderNames.AUTHORIZATION,
            HeaderNames.CONTENT_TYPE, HeaderNames.ACCEPT, HeaderNames.USER_AGENT);
    private static final List<String> RESPONSE_HEADERS = List.of("content-type", "retry-after", "location",
            "www-authenticate", "cache-control");

    private final URI auth;
    private final HttpClient client;

    AuthProxy(URI auth) {
        this.auth = auth;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * The proxy for a gateway process without the auth role.
     *
     * @param authUrl base URL of the auth service
     * @return the component
     */
    static AuthProxy to(URI authUrl) {
        return new AuthProxy(authUrl);
    }

    @Override
    public void routing(HttpRouting.Builder routing) {
        routing.post("/login", this::forward)
                .post("/validate", this::forward)
                .post("/api/v1/users", this::forward)
                .get("/api/v1/users/me", this::forward)
                .put("/api/v1/users/me/password", this::forward)
                .post("/api/v1/auth/token", this::forward)
                .get("/.well-known/jwks.json", this::forward);
    }

    private void forward(ServerRequest req, ServerResponse res) throws IOException, InterruptedException {
        HttpRequest.Builder out = HttpRequest.newBuilder(target(req))
                .timeout(TIMEOUT)
                .method(req.prologue().method().text(), HttpRequest.BodyPublishers.ofByteArray(body(req)));
        for (HeaderName name : REQUEST_HEADERS) {
            req.headers().first(name).ifPresent(value -> out.header(name.defaultCase(), value));
        }
        // keep the address chain an Ingress already wrote (auth throttles on its last entry); without
        // one, the caller is the peer of this connection
        out.header(FORWARDED_FOR.defaultCase(), req.headers().first(FORWARDED_FOR)
                .orElse(req.remotePeer().host()));
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "auth service at {0} unreachable: {1}", auth, e.toString());
            throw ProblemException.unavailable("the auth service is unavailable, try again shortly");
        }
        res.status(Status.create(answer.statusCode()));
        for (String name : RESPONSE_HEADERS) {
            answer.headers().firstValue(name).ifPresent(value -> res.header(HeaderNames.create(name), value));
        }
        res.send(answer.body());
    }

    private URI target(ServerRequest req) {
        String query = req.query().rawValue();
        return auth.resolve(req.path().rawPath() + (query.isEmpty() ? "" : "?" + query));
    }

    private static byte[] body(ServerRequest req) throws IOException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw ProblemException.tooLarge("request body larger than " + MAX_BODY + " bytes");
            }
            return body;
        }
    }
}
