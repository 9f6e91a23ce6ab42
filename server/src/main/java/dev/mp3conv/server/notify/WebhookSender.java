package dev.mp3conv.server.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.jobs.Job;

/**
 * POSTs a finished job's JSON to its owner's webhook, signed with {@code X-Mp3conv-Signature:
 * sha256=<hex HMAC-SHA256 of the body>} under the user's secret. Retries 5xx answers, timeouts and
 * connection failures with a doubling pause, up to {@link #ATTEMPTS} attempts; a 2xx or a 4xx ends it.
 */
final class WebhookSender implements AutoCloseable {
    static final String SIGNATURE_HEADER = "X-Mp3conv-Signature";
    static final int ATTEMPTS = 3;
    private static final System.Logger LOG = System.getLogger(WebhookSender.class.getName());

    private final UserWebhooks webhooks;
    private final HttpClient client;
    private final Duration timeout;
    private final Duration backoff;
    private final NotifyMetrics metrics;
    private final boolean allowHttp;

    WebhookSender(UserWebhooks webhooks, Duration timeout, Duration backoff, NotifyMetrics metrics, boolean allowHttp) {
        this.webhooks = webhooks;
        this.allowHttp = allowHttp;
        this.timeout = timeout;
        this.backoff = backoff;
        this.metrics = metrics;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
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
            url = URI.create(target.get().url());
        } catch (IllegalArgumentException e) {
            // edited by hand in the store: the email went out, do not fail the message
            LOG.log(System.Logger.Level.WARNING, "job {0}: the owner''s webhook URL is not valid; not called", job.id());
            metrics.notification("webhook", "failed");
            return;
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) && !(allowHttp && "http".equalsIgnoreCase(url.getScheme()))) {
            // set while webhooks.allow-http was on, and it is off now
            LOG.log(System.Logger.Level.WARNING, "job {0}: the owner''s webhook is not https; not called", job.id());
            metrics.notification("webhook", "failed");
            return;
        }
        if (!allowHttp && WebhookTargets.reachesInternal(url)) {
            // the name was public when set; it resolves into a private network now
            LOG.log(System.Logger.Level.WARNING, "job {0}: the owner''s webhook host resolves to a non-public "
                    + "address; not called", job.id());
            metrics.notification("webhook", "failed");
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "mp3conv-webhook")
                .header(SIGNATURE_HEADER, "sha256=" + sign(target.get().secret(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        Duration pause = backoff;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            String failure;
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 300) {
                    metrics.notification("webhook", "sent");
                    return;
                }
                if (status < 500) {
                    LOG.log(System.Logger.Level.WARNING, "job {0}: webhook answered {1}; not retried",
                            job.id(), String.valueOf(status));
                    metrics.notification("webhook", "failed");
                    return;
                }
                failure = "status " + status;
            } catch (HttpTimeoutException e) {
                failure = "timeout";
            } catch (IOException e) {
                failure = e.toString();
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
        client.close();
    }
}
