package dev.mp3conv.server.notify;

import java.net.InetAddress;
import java.util.Optional;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;

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
     * @param backend  shared infrastructure
     * @param settings the notifier's settings
     * @param webhooks the webhook settings
     * @return the role
     */
    public static NotifierRole create(Backend backend, NotifierSettings settings, WebhookSettings webhooks) {
        int concurrency = settings.concurrency();
        Optional<SmtpSettings> smtp = settings.smtp();
        OwnerNotifier notifier = smtp.<OwnerNotifier>map(s -> new EmailNotifier(s, settings.publicUrl(), concurrency))
                .orElseGet(LogNotifier::new);
        NotifyMetrics metrics = new NotifyMetrics(backend.meters());
        WebhookSender sender = new WebhookSender(
                new UserWebhooks(backend.mongo(), WebhookService.cipher(backend, webhooks)),
                webhooks.timeout(), webhooks.retryBackoff(), metrics, webhooks.policy(), InetAddress::getAllByName);
        NotificationHandler.Backoff backoff = new NotificationHandler.Backoff(settings.retryBackoff(),
                settings.maxRetryBackoff());
        NotificationHandler handler = new NotificationHandler(backend.jobs(), notifier, sender, metrics, backoff,
                settings.deliveryLimit());
        LOG.log(System.Logger.Level.INFO, "notifications by {0}",
                smtp.map(SmtpSettings::toString).orElse("log lines (no SMTP_HOST)"));
        return new NotifierRole(backend, notifier, sender, handler, concurrency);
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
