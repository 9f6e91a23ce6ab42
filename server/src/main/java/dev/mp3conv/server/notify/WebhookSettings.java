package dev.mp3conv.server.notify;

import java.time.Duration;
import java.util.Optional;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The {@code webhooks} settings (docs/configuration.md), read once at start and shared by the gateway
 * (which checks a URL when it is set) and the notifier (which checks it again when it calls); defaults
 * in application.yaml.
 *
 * @param allowHttp    plain http URLs are allowed (the scheme only: the address rules stay)
 * @param allowPrivate loopback, private and unique-local targets are allowed (local use)
 * @param secretKey    base64 of the key that encrypts stored webhook secrets; empty: generated under the data directory
 * @param timeout      how long one call may take
 * @param retryBackoff pause before the one retry of a failed call
 */
public record WebhookSettings(boolean allowHttp, boolean allowPrivate, Optional<String> secretKey, Duration timeout,
                              Duration retryBackoff) {
    /**
     * Reads the settings.
     *
     * @param webhooks the {@code webhooks} node
     * @return the settings
     */
    public static WebhookSettings from(Config webhooks) {
        return new WebhookSettings(Settings.flag(webhooks.get("allow-http")), Settings.flag(webhooks.get("allow-private")),
                webhooks.get("secret-key").asString().asOptional().filter(k -> !k.isBlank()),
                Settings.duration(webhooks.get("timeout")), Settings.duration(webhooks.get("retry-backoff")));
    }

    /** What the URL rules allow. */
    WebhookTargets.Policy policy() {
        return new WebhookTargets.Policy(allowHttp, allowPrivate);
    }

    @Override
    public String toString() {
        // never print the key
        return "WebhookSettings[allowHttp=" + allowHttp + ", allowPrivate=" + allowPrivate + ", timeout=" + timeout
                + ", retryBackoff=" + retryBackoff + "]";
    }
}
