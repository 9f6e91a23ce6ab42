package dev.mp3conv.server.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.auth.TokenVerifier;
import dev.mp3conv.server.http.JsonBodies;
import dev.mp3conv.server.http.ProblemException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/v1/users/me/webhook}: the caller's webhook. {@code PUT {"url"}} sets it and answers the
 * signing secret, the only time it is shown; {@code GET} shows the URL; {@code DELETE} removes it.
 * URLs must be https unless {@code webhooks.allow-http} is set (local use).
 */
public final class WebhookService implements HttpService {
    /** Where the service is mounted. */
    public static final String PATH = "/api/v1/users/me/webhook";
    private static final int MAX_URL_LENGTH = 2048;

    private final AuthFilter auth;
    private final UserWebhooks webhooks;
    private final boolean allowHttp;

    WebhookService(AuthFilter auth, UserWebhooks webhooks, boolean allowHttp) {
        this.auth = auth;
        this.webhooks = webhooks;
        this.allowHttp = allowHttp;
    }

    /**
     * The webhook routes as a component of the process that verifies tokens (the gateway).
     *
     * @param backend  shared infrastructure (the {@code users} collection, {@code webhooks.allow-http})
     * @param verifier token verifier of this process
     * @return a component that only adds routes
     */
    public static RoleComponent component(Backend backend, TokenVerifier verifier) {
        WebhookService service = new WebhookService(new AuthFilter(verifier), new UserWebhooks(backend.mongo().database()),
                backend.config().get("webhooks.allow-http").asBoolean().orElse(false));
        return new RoleComponent() {
            @Override
            public void routing(HttpRouting.Builder routing) {
                routing.register(PATH, service);
            }
        };
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(auth.handler())
                .get("/", this::show)
                .put("/", this::set)
                .delete("/", this::remove);
    }

    private void set(ServerRequest req, ServerResponse res) {
        Principal caller = AuthFilter.principal(req);
        String url = validUrl(JsonBodies.read(req, WebhookRequest.class).url());
        var webhook = webhooks.store(caller.userId(), url)
                .orElseThrow(() -> ProblemException.notFound("no such user"));
        JsonBodies.write(res, Status.OK_200, new WebhookCreated(webhook.url(), webhook.secret()));
    }

    private void show(ServerRequest req, ServerResponse res) {
        var webhook = webhooks.find(AuthFilter.principal(req).userId())
                .orElseThrow(() -> ProblemException.notFound("no webhook is set"));
        JsonBodies.write(res, Status.OK_200, new WebhookRequest(webhook.url()));
    }

    private void remove(ServerRequest req, ServerResponse res) {
        webhooks.remove(AuthFilter.principal(req).userId());
        res.status(Status.NO_CONTENT_204).send();
    }

    private String validUrl(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw ProblemException.badRequest("url must be an absolute https URL of at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw ProblemException.badRequest("url is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean schemeOk = scheme.equals("https") || (allowHttp && scheme.equals("http"));
        if (!schemeOk || uri.getHost() == null) {
            throw ProblemException.badRequest(allowHttp
                    ? "url must be an absolute http or https URL"
                    : "url must be an absolute https URL (plain http needs webhooks.allow-http)");
        }
        if (!allowHttp && WebhookTargets.reachesInternal(uri)) {
            throw ProblemException.badRequest("url must point at a public address, not into a private network "
                    + "(loopback, private, link-local)");
        }
        return uri.toString();
    }

    /**
     * Body of {@code PUT} and answer of {@code GET}.
     *
     * @param url the webhook URL
     */
    public record WebhookRequest(String url) {
    }

    /**
     * Answer of {@code PUT}: the secret that signs each call, shown this once.
     *
     * @param url    the webhook URL
     * @param secret HMAC-SHA256 key for {@code X-Mp3conv-Signature}
     */
    public record WebhookCreated(String url, String secret) {
    }
}
