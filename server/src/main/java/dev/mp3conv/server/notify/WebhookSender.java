package dev.mp3conv.server.notify;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.net.ssl.SSLContext;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.jobs.Job;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.spi.DnsResolver;

/**
 * POSTs a finished job's JSON to its owner's webhook, signed with {@code X-Mp3conv-Signature:
 * sha256=<hex HMAC-SHA256 of the body>} under the user's secret. Retries 5xx answers, timeouts and
 * connection failures with a doubling pause, up to {@link #ATTEMPTS} attempts; a 2xx, 3xx (redirects are
 * not followed) or 4xx ends it. Only addresses {@link WebhookTargets} allows are connected to.
 */
final class WebhookSender implements AutoCloseable {
    static final String SIGNATURE_HEADER = "X-Mp3conv-Signature";
    static final int ATTEMPTS = 3;
    private static final System.Logger LOG = System.getLogger(WebhookSender.class.getName());

    private final UserWebhooks webhooks;
    private final WebClient client;
    private final Duration backoff;
    private final NotifyMetrics metrics;
    private final WebhookTargets.Policy policy;

    WebhookSender(UserWebhooks webhooks, Duration timeout, Duration backoff, NotifyMetrics metrics,
                  WebhookTargets.Policy policy, WebhookTargets.Resolver resolver) {
        this(webhooks, timeout, backoff, metrics, policy, resolver, defaultTls());
    }

    /** With the TLS context whose trust decides which certificates are accepted (tests trust their own). */
    WebhookSender(UserWebhooks webhooks, Duration timeout, Duration backoff, NotifyMetrics metrics,
                  WebhookTargets.Policy policy, WebhookTargets.Resolver resolver, SSLContext tls) {
        this.webhooks = webhooks;
        this.policy = policy;
        this.backoff = backoff;
        this.metrics = metrics;
        // the client asks this resolver for the address of each connection it opens: the name is looked
        // up once, every address checked, and the socket goes to the checked one (no second lookup that a
        // rebinding name could answer differently); Host and TLS SNI stay the URL's name
        DnsResolver checked = (host, lookup) -> {
            try {
                return WebhookTargets.resolve(host, policy, resolver);
            } catch (WebhookTargets.Refused e) {
                throw new RefusedAddress(e.getMessage());
            } catch (UnknownHostException e) {
                throw new UncheckedIOException(e);
            }
        };
        this.client = WebClient.builder()
                .dnsResolver(checked)
                // the JDK's trusted CAs, and the certificate must name the URL's host (not the address)
                .tls(Tls.builder().enabled(true).sslContext(tls)
                        .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_HTTPS).build())
                .followRedirects(false)
                .proxy(Proxy.noProxy())
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .keepAlive(false)
                .build();
    }

    /**
     * Delivers the job to its owner's webhook, if they set one.
     *
     * @param job the finished job
     * @throws InterruptedException when stopped while waiting to retry
     */
    void deliver(Job job) throws InterruptedException {
        var target = webhooks.find(job.owner());
        if (target.isEmpty()) {
            return;
        }
        byte[] body = body(job);
        URI url;
        try {
            url = WebhookTargets.parse(target.get().url(), policy);
        } catch (WebhookTargets.Refused e) {
            // edited in the store, or set under settings that allowed more than today's
            LOG.log(System.Logger.Level.WARNING, "job {0}: the owner''s webhook is refused ({1}); not called",
                    job.id(), e.getMessage());
            metrics.notification("webhook", "failed");
            return;
        }
        String signature = "sha256=" + sign(target.get().secret(), body);
        Duration pause = backoff;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            String failure;
            try (HttpClientResponse response = client.post(url.toString())
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .header(HeaderNames.USER_AGENT, "mp3conv-webhook")
                    .header(HeaderNames.create(SIGNATURE_HEADER), signature)
                    .submit(body)) {
                int status = response.status().code();
                if (status < 300) {
                    metrics.notification("webhook", "sent");
                    return;
                }
                if (status < 500) {
                    // a redirect too: it is not followed, the URL is the owner's to fix
                    LOG.log(System.Logger.Level.WARNING, "job {0}: webhook answered {1}; not retried",
                            job.id(), String.valueOf(status));
                    metrics.notification("webhook", "failed");
                    return;
                }
                failure = "status " + status;
            } catch (RuntimeException e) {
                if (refusal(e) != null) {
                    // the name was public when set; it resolves into a private network now
                    LOG.log(System.Logger.Level.WARNING, "job {0}: the owner''s webhook host resolves to an address "
                            + "that may not be called ({1}); not called", job.id(), refusal(e));
                    metrics.notification("webhook", "failed");
                    return;
                }
                failure = rootCause(e).toString();
            }
            if (attempt < ATTEMPTS) {
                LOG.log(System.Logger.Level.INFO, "job {0}: webhook attempt {1} failed ({2}); retrying in {3}",
                        job.id(), String.valueOf(attempt), failure, pause);
                metrics.notification("webhook", "retried");
                Thread.sleep(pause);
                pause = pause.multipliedBy(2);
            } else {
                LOG.log(System.Logger.Level.WARNING, "job {0}: webhook failed after {1} attempts ({2})",
                        job.id(), String.valueOf(ATTEMPTS), failure);
                metrics.notification("webhook", "failed");
            }
        }
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    private static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RefusedAddress refused) {
                return refused.getMessage();
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    static byte[] body(Job job) {
        try {
            return Json.mapper().writeValueAsBytes(job.view());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise job " + job.id(), e);
        }
    }

    /**
     * The hex HMAC-SHA256 of a body under a secret, as receivers recompute it.
     *
     * @param secret the user's webhook secret
     * @param body   the exact bytes sent
     * @return lower-case hex
     */
    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public void close() {
        client.closeResource();
    }

    /** Thrown from the client's resolver: the address may not be called. */
    private static final class RefusedAddress extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private RefusedAddress(String message) {
            super(message, null, false, false);
        }
    }
}
