package dev.mp3conv.server.notify;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;

import dev.mp3conv.server.Settings;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NotifierUnitsTest {

    @Test
    void smtpFailuresAreSortedIntoRetryableAndPermanent() throws Exception {
        InternetAddress to = new InternetAddress("a@example.test");
        var busy = new SendFailedException("Invalid Addresses", new SMTPAddressFailedException(to, "RCPT", 451, "try later"));
        var unknown = new SendFailedException("Invalid Addresses", new SMTPAddressFailedException(to, "RCPT", 550, "no such user"));

        assertThat(EmailNotifier.classify(busy).retryable()).isTrue();
        assertThat(EmailNotifier.classify(unknown).retryable()).isFalse();
        assertThat(EmailNotifier.classify(unknown).error().code()).isEqualTo("smtp-rejected");
        assertThat(EmailNotifier.classify(unknown).error().message()).contains("no such user");
        assertThat(EmailNotifier.classify(new AuthenticationFailedException("535 bad")).error().code()).isEqualTo("smtp-auth");
        assertThat(EmailNotifier.classify(new MessagingException("connect", new ConnectException("refused"))).retryable()).isTrue();
        assertThat(EmailNotifier.classify(new MessagingException("Could not connect to SMTP host: h, port: 25, response: 421"))
                .retryable()).isTrue();
        assertThat(EmailNotifier.classify(new MessagingException("STARTTLS is required but host does not support STARTTLS"))
                .error().code()).isEqualTo("smtp-config");
    }

    @Test
    void retriesBackOffDoublingUpToTheCap() {
        var backoff = new NotificationHandler.Backoff(Duration.ofSeconds(5), Duration.ofSeconds(60));

        assertThat(backoff.before(2)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.before(3)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.before(5)).isEqualTo(Duration.ofSeconds(40));
        assertThat(backoff.before(6)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.before(1000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void smtpSettingsNeverPrintThePassword() {
        var settings = SmtpSettings.from(Settings.load(Map.of("SMTP_HOST", "smtp.example.test", "SMTP_USERNAME", "me",
                "SMTP_PASSWORD", "hunter2-secret", "SMTP_SECURITY", "ssl"), Map.of()).get("smtp")).orElseThrow();

        assertThat(settings.port()).isEqualTo(465);
        assertThat(settings.password()).hasValue("hunter2-secret");
        assertThat(settings.toString()).contains("smtp.example.test:465", "user me").doesNotContain("hunter2-secret");
        assertThat(EmailNotifier.properties(settings)).containsEntry("mail.smtp.ssl.enable", "true")
                .containsEntry("mail.smtp.ssl.checkserveridentity", "true")
                .doesNotContainValue("hunter2-secret");
    }

    @Test
    void withoutAHostThereIsNoSmtp() {
        assertThat(SmtpSettings.from(Settings.load(Map.of(), Map.of()).get("smtp"))).isEmpty();
        var starttls = SmtpSettings.from(Settings.load(Map.of("SMTP_HOST", "h"), Map.of()).get("smtp")).orElseThrow();
        assertThat(starttls.port()).isEqualTo(587);
        assertThat(EmailNotifier.properties(starttls)).containsEntry("mail.smtp.starttls.required", "true")
                .containsEntry("mail.smtp.auth", "false");
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // RFC 4231 test case 2
        assertThat(WebhookSender.sign("Jefe", "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
