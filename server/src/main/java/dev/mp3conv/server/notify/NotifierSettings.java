package dev.mp3conv.server.notify;

import java.time.Duration;
import java.util.Optional;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The notifier's settings (docs/configuration.md): the {@code notify} node, the {@code smtp} node, and
 * what it takes from the app and the queue; read once at start, defaults in application.yaml.
 *
 * @param concurrency     notifications at once (at least 1)
 * @param retryBackoff    pause before the first retry of a transient failure (doubling from there)
 * @param maxRetryBackoff longest pause between retries
 * @param smtp            the mail server; empty without {@code smtp.host} (notifications are logged)
 * @param publicUrl       how users reach the API, without a trailing slash ({@code app.public-url})
 * @param deliveryLimit   deliveries of an {@code mp3} message before it is dead-lettered ({@code queue.delivery-limit})
 */
public record NotifierSettings(int concurrency, Duration retryBackoff, Duration maxRetryBackoff,
                               Optional<SmtpSettings> smtp, String publicUrl, int deliveryLimit) {
    /**
     * Reads the settings.
     *
     * @param notify        the {@code notify} node
     * @param smtp          the {@code smtp} node
     * @param publicUrl     the normalised {@code app.public-url}
     * @param deliveryLimit {@code queue.delivery-limit}
     * @return the settings
     */
    public static NotifierSettings from(Config notify, Config smtp, String publicUrl, int deliveryLimit) {
        return new NotifierSettings(Math.max(1, Settings.integer(notify.get("concurrency"))),
                Settings.duration(notify.get("retry-backoff")), Settings.duration(notify.get("max-retry-backoff")),
                SmtpSettings.from(smtp), publicUrl, deliveryLimit);
    }
}
