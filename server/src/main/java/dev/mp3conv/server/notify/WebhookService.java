package dev.mp3conv.server.notify;

import java.net.URI;
import java.net.InetAddress;
import java.net.UnknownHostException;

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
 * URLs must be https unless {@code webhooks.allow-http} is set, and reach only public addresses unless
 * {@code webhooks.allow-private} is set (local use); see {@link WebhookTargets}.
 */
public final class WebhookService implements HttpService {
    /** Where the service is mounted. */
    public static final String PATH = "/api/v1/users/me/webhook";
    private static final int MAX_URL_LENGTH = 2048;

    private final AuthFilter auth;
    private final UserWebhooks webhooks;
    private final WebhookTargets.Policy policy;
    private final WebhookTargets.Resolver resolver;

    WebhookService(AuthFilter auth, UserWebhooks webhooks, WebhookTargets.Policy policy, WebhookTargets.Resolver resolver) {
        this.auth = auth;
        this.webhooks = webhooks;
        this.policy = policy;
        this.resolver = resolver;
    }

    /**
     * The cipher of stored webhook secrets ({@code webhooks.secret-key}, or the key generated under the data
     * directory).
     *
     * @param backend  shared infrastructure
     * @param settings the webhook settings
     * @return the cipher
     */
    static WebhookSecretCipher cipher(Backend backend, WebhookSettings settings) {
        return WebhookSecretCipher.load(settings.secretKey(), backend.dataDir(), backend.embedded());
    }

    /**
     * The webhook routes as a component of the process that verifies tokens (the gateway).
     *
     * @param backend  shared infrastructure (the {@code users} collection)
     * @param settings the webhook settings ({@code webhooks.allow-http}, {@code webhooks.allow-private})
     * @param verifier token verifier of this process
     * @return a component that only adds routes
     */
    public static RoleComponent component(Backend backend, WebhookSettings settings, TokenVerifier verifier) {
        WebhookService service = new WebhookService(new AuthFilter(verifier),
                new UserWebhooks(backend.mongo(), cipher(backend, settings)), settings.policy(),
                InetAddress::getAllByName);
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
        try {
            URI uri = WebhookTargets.parse(url.strip(), policy);
            try {
                WebhookTargets.resolve(uri.getHost(), policy, resolver);
            } catch (UnknownHostException e) {
                // not resolvable now: a call to it fails on its own, and the address is checked at each call
            }
            return uri.toString();
        } catch (WebhookTargets.Refused e) {
            throw ProblemException.badRequest(e.getMessage());
        }
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
