package dev.mp3conv.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.mp3conv.server.converter.ConverterSettings;
import dev.mp3conv.server.gateway.GatewaySettings;
import dev.mp3conv.server.jobs.SweeperSettings;
import dev.mp3conv.server.notify.NotifierSettings;
import dev.mp3conv.server.notify.WebhookSettings;
import dev.mp3conv.server.queue.QueueSettings;
import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each component's settings come from its own node, with the defaults application.yaml sets (the one
 * place they live), and a value shared by components is read once and handed on.
 */
class ComponentSettingsTest {
    private static Config load(Map<String, String> env) {
        return Settings.load(env, Map.of());
    }

    @Test
    void defaultsComeFromApplicationYaml() {
        Config config = load(Map.of());
        AppSettings app = AppSettings.from(config.get("app"));
        QueueSettings queue = QueueSettings.from(config.get("queue"));

        assertThat(app.roles()).containsExactlyInAnyOrder(Role.values());
        assertThat(app.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(app.publicUrl()).as("${server.port} resolved").isEqualTo("http://localhost:8080");
        assertThat(queue).isEqualTo(new QueueSettings("video", "mp3", 5, "mp3conv.dlx", Duration.ofSeconds(10), 8));
        assertThat(SweeperSettings.from(config.get("sweeper")))
                .isEqualTo(new SweeperSettings(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(15)));
        GatewaySettings gateway = GatewaySettings.from(config.get("gateway"), app.publicUrl(), java.util.Optional.empty());
        assertThat(gateway.maxUploadSize()).isEqualTo(4L << 30);
        assertThat(gateway.authUrl()).isEmpty();
        NotifierSettings notifier = NotifierSettings.from(config.get("notify"), config.get("smtp"), app.publicUrl(),
                queue.deliveryLimit());
        assertThat(notifier.concurrency()).isEqualTo(4);
        assertThat(notifier.retryBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(notifier.maxRetryBackoff()).isEqualTo(Duration.ofMinutes(2));
        assertThat(notifier.smtp()).isEmpty();
        WebhookSettings webhooks = WebhookSettings.from(config.get("webhooks"));
        assertThat(webhooks).isEqualTo(new WebhookSettings(false, false, java.util.Optional.empty(),
                Duration.ofSeconds(10), Duration.ofSeconds(1)));
        ConverterSettings converter = ConverterSettings.from(config.get("converter"), queue.deliveryLimit());
        assertThat(converter.lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.perUser()).isEqualTo(2);
        assertThat(converter.maxAttempts()).as("queue.delivery-limit").isEqualTo(5);
    }

    @Test
    void theDeliveryLimitIsReadOnceAndIsTheConvertersAttemptsUnlessSet() {
        Config config = load(Map.of("QUEUE_DELIVERY_LIMIT", "7"));
        QueueSettings queue = QueueSettings.from(config.get("queue"));

        assertThat(queue.deliveryLimit()).isEqualTo(7);
        assertThat(ConverterSettings.from(config.get("converter"), queue.deliveryLimit()).maxAttempts()).isEqualTo(7);
        assertThat(ConverterSettings.from(load(Map.of("CONVERTER_MAX_ATTEMPTS", "3")).get("converter"),
                queue.deliveryLimit()).maxAttempts()).isEqualTo(3);
    }

    @Test
    void thePublicUrlIsNormalisedOnce() {
        AppSettings app = AppSettings.from(load(Map.of("PUBLIC_URL", "https://mp3.example.test//")).get("app"));

        assertThat(app.publicUrl()).isEqualTo("https://mp3.example.test");
        assertThat(AppSettings.withoutTrailingSlashes("https://mp3.example.test/base/")).isEqualTo("https://mp3.example.test/base");
    }

    @Test
    void webhookSettingsReadTheirFlagsAndNeverShowTheKey() {
        WebhookSettings webhooks = WebhookSettings.from(load(Map.of("WEBHOOKS_ALLOW_HTTP", "true",
                "WEBHOOKS_SECRET_KEY", "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE=")).get("webhooks"));

        assertThat(webhooks.allowHttp()).isTrue();
        assertThat(webhooks.allowPrivate()).isFalse();
        assertThat(webhooks.secretKey()).isPresent();
        assertThat(webhooks.toString()).doesNotContain("c2VjcmV0");
    }

    @Test
    void aKeyWithoutItsDefaultIsNamed() {
        Config config = load(Map.of());

        assertThatThrownBy(() -> Settings.duration(config.get("sweeper.nonexistent")))
                .isInstanceOf(StartupException.class)
                .hasMessage("configuration sweeper.nonexistent is missing (application.yaml sets its default)");
        assertThatThrownBy(() -> Settings.duration(Settings.load(Map.of(), Map.of("sweeper.grace", "soon"))
                .get("sweeper.grace")))
                .isInstanceOf(StartupException.class).hasMessage("configuration sweeper.grace: cannot read 'soon'");
    }
}
