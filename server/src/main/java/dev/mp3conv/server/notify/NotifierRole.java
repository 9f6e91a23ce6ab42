package dev.mp3conv.server.notify;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;
import io.helidon.config.Config;

/**
 * The notifier role: consumes {@code mp3}, tells the owner once (email, or a log line without
 * {@code smtp.host}), then calls their webhook if they set one.
 */
public final class NotifierRole implements RoleComponent {
    private static final System.Logger LOG = System.getLogger(NotifierRole.class.getName());

    private final Backend backend;
    private final OwnerNotifier notifier;
    private final WebhookSender webhooks;
    private final NotificationHandler handler;
    private final int concurrency;
    private JobQueue.Consumer consumer;

    private NotifierRole(Backend backend, OwnerNotifier notifier, WebhookSender webhooks, NotificationHandler handler,
                         int concurrency) {
        this.backend = backend;
        this.notifier = notifier;
        this.webhooks = webhooks;
        this.handler = handler;
        this.concurrency = concurrency;
    }

    /**
     * Creates the role.
     *
     * @param backend shared infrastructure
     * @return the role
     */
    public static NotifierRole create(Backend backend) {
        Config config = backend.config();
        int concurrency = Math.max(1, config.get("notify.concurrency").asInt().orElse(4));
        String publicUrl = config.get("app.public-url").asString().orElse("http://localhost:8080");
        Optional<SmtpSettings> smtp = SmtpSettings.from(config.get("smtp"));
        OwnerNotifier notifier = smtp.<OwnerNotifier>map(s -> new EmailNotifier(s, publicUrl, concurrency))
                .orElseGet(LogNotifier::new);
        NotifyMetrics metrics = new NotifyMetrics(backend.meters());
        WebhookSender webhooks = new WebhookSender(new UserWebhooks(backend.mongo().database(), WebhookService.cipher(backend)),
                Settings.duration(config.get("webhooks.timeout"), Duration.ofSeconds(10)),
                Settings.duration(config.get("webhooks.retry-backoff"), Duration.ofSeconds(1)),
                metrics, WebhookService.policy(config), InetAddress::getAllByName);
        NotificationHandler.Backoff backoff = new NotificationHandler.Backoff(
                Settings.duration(config.get("notify.retry-backoff"), Duration.ofSeconds(5)),
                Settings.duration(config.get("notify.max-retry-backoff"), Duration.ofMinutes(2)));
        NotificationHandler handler = new NotificationHandler(backend.jobs(), notifier, webhooks, metrics, backoff,
                config.get("queue.delivery-limit").asInt().orElse(5));
        LOG.log(System.Logger.Level.INFO, "notifications by {0}",
                smtp.map(SmtpSettings::toString).orElse("log lines (no SMTP_HOST)"));
        return new NotifierRole(backend, notifier, webhooks, handler, concurrency);
    }

    @Override
    public void start() {
        consumer = backend.queue().consume(Topic.MP3, concurrency, handler);
    }

    @Override
    public void close() {
        handler.stop();
        if (consumer != null) {
            consumer.close();
        }
        webhooks.close();
        notifier.close();
    }
}
