package dev.mp3conv.server.notify;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.queue.InProcessJobQueue;
import dev.mp3conv.server.queue.Topic;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EmailNotifierIT {
    private static final String LOGIN = "mailer";
    private static final String PASSWORD = "s3cret-smtp";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    static final GreenMailExtension GREEN_MAIL = new GreenMailExtension(patient(
            ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.SMTPS.dynamicPort()))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("mailer@example.test", LOGIN, PASSWORD));

    @TempDir
    Path dataDir;

    private Map<String, String> plainSmtp(String password) {
        return Map.of("smtp.host", "127.0.0.1",
                "smtp.port", String.valueOf(GREEN_MAIL.getSmtp().getPort()),
                "smtp.security", "none",
                "smtp.username", LOGIN,
                "smtp.password", password,
                "smtp.from", "mp3conv@example.test");
    }

    @Test
    void plainSmtpWithAuthDeliversTheMailNamingTheFileAndTheDownloadCommand() throws Exception {
        try (NotifierFixture fixture = new NotifierFixture(dataDir, plainSmtp(PASSWORD))) {
            Job job = fixture.done("u1", "alice@example.test", "talk.mp4");
            fixture.publish(job);

            await().atMost(PATIENCE).until(() -> GREEN_MAIL.getReceivedMessages().length == 1);
            MimeMessage mail = GREEN_MAIL.getReceivedMessages()[0];
            assertThat(Arrays.stream(mail.getAllRecipients()).map(Object::toString)).containsExactly("alice@example.test");
            assertThat(mail.getFrom()[0].toString()).isEqualTo("mp3conv@example.test");
            assertThat(mail.getSubject()).isEqualTo("Your MP3 of talk.mp4 is ready");
            MimeMultipart parts = (MimeMultipart) mail.getContent();
            assertThat(parts.getContentType()).startsWith("multipart/alternative");
            String text = (String) parts.getBodyPart(0).getContent();
            assertThat(text).contains("mp3conv download " + job.id())
                    .contains("https://mp3.example.test/api/v1/jobs/" + job.id() + "/mp3")
                    .contains("Job: " + job.id())
                    .contains("976.6 KiB (1000000 bytes)")
                    .contains("Duration: 1:01")
                    .doesNotContain(PASSWORD);
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
            assertThat((String) parts.getBodyPart(1).getContent()).contains("<pre>mp3conv download " + job.id() + "</pre>");

            await().atMost(PATIENCE).untilAsserted(() -> {
                Job notified = fixture.reload(job);
                assertThat(notified.notifiedAt()).isNotNull();
                assertThat(notified.notifyChannel()).isEqualTo("email");
                assertThat(notified.notifyError()).isNull();
            });
        }
    }

    @Test
    void smtpsDeliversAFailedJobWithItsReason() throws Exception {
        Map<String, String> smtps = Map.of("smtp.host", "127.0.0.1",
                "smtp.port", String.valueOf(GREEN_MAIL.getSmtps().getPort()),
                "smtp.security", "ssl",
                // GreenMail's certificate is self-signed and names no host
                "smtp.ssl-trust", "*",
                "smtp.username", LOGIN,
                "smtp.password", PASSWORD,
                "smtp.from", "mp3conv@example.test");
        try (NotifierFixture fixture = new NotifierFixture(dataDir, smtps)) {
            Job job = fixture.failed("u1", "bob@example.test", "silent.mov", "the video has no audio stream");
            fixture.publish(job);

            await().atMost(PATIENCE).until(() -> GREEN_MAIL.getReceivedMessages().length == 1);
            MimeMessage mail = GREEN_MAIL.getReceivedMessages()[0];
            assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("bob@example.test");
            assertThat(mail.getSubject()).isEqualTo("Converting silent.mov failed");
            assertThat(GreenMailUtil.getBody(mail)).contains("the video has no audio stream");
            await().atMost(PATIENCE).until(() -> fixture.reload(job).notifiedAt() != null);
        }
    }

    @Test
    void wrongPasswordRecordsTheErrorAndTheConsumerKeepsGoing() throws Exception {
        String wrong = "not-the-password";
        try (NotifierFixture fixture = new NotifierFixture(dataDir, plainSmtp(wrong))) {
            Job first = fixture.done("u1", "carol@example.test", "one.mp4");
            fixture.publish(first);

            await().atMost(PATIENCE).until(() -> fixture.reload(first).notifyError() != null);
            Job refused = fixture.reload(first);
            assertThat(refused.notifyError().code()).isEqualTo("smtp-auth");
            assertThat(refused.notifyError().message()).doesNotContain(wrong);
            assertThat(refused.notifiedAt()).as("a permanent failure keeps the claim: never retried").isNotNull();
            assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();

            // the operator fixes the account on the server side; the same consumer must still be alive to send
            GREEN_MAIL.getUserManager().getUser(LOGIN).setPassword(wrong);
            Job second = fixture.done("u1", "carol@example.test", "two.mp4");
            fixture.publish(second);

            await().atMost(PATIENCE).until(() -> GREEN_MAIL.getReceivedMessages().length == 1);
            assertThat(GREEN_MAIL.getReceivedMessages()[0].getSubject()).contains("two.mp4");
            InProcessJobQueue queue = (InProcessJobQueue) fixture.server.backend().queue();
            assertThat(queue.deadLetters(Topic.MP3)).isEmpty();
        }
    }

    @Test
    void aRedeliveredMessageSendsOneEmail() throws Exception {
        try (NotifierFixture fixture = new NotifierFixture(dataDir, plainSmtp(PASSWORD))) {
            Job job = fixture.done("u1", "dave@example.test", "twice.mp4");
            fixture.publish(job);
            fixture.publish(job);
            // one consumer takes messages in order: once the marker's mail is in, both copies were handled
            Job marker = fixture.done("u1", "dave@example.test", "marker.mp4");
            fixture.publish(marker);

            await().atMost(PATIENCE).until(() -> Arrays.stream(GREEN_MAIL.getReceivedMessages())
                    .anyMatch(m -> subject(m).contains("marker.mp4")));
            assertThat(Arrays.stream(GREEN_MAIL.getReceivedMessages()).map(EmailNotifierIT::subject))
                    .containsExactlyInAnyOrder("Your MP3 of twice.mp4 is ready", "Your MP3 of marker.mp4 is ready");
        }
    }

    @Test
    void startTlsRequiredRefusesAServerWithoutTls() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(plainSmtp(PASSWORD));
        settings.put("smtp.security", "starttls");
        try (NotifierFixture fixture = new NotifierFixture(dataDir, settings)) {
            Job job = fixture.done("u1", "erin@example.test", "secret.mp4");
            fixture.publish(job);

            await().atMost(PATIENCE).until(() -> fixture.reload(job).notifyError() != null);
            assertThat(fixture.reload(job).notifyError().code()).isEqualTo("smtp-config");
            assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void anUnreachableServerIsRetriedThroughTheQueueUntilItAnswers() throws Exception {
        int port = freePort();
        Map<String, String> settings = Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(port),
                "smtp.security", "none", "smtp.connect-timeout", "1s", "queue.delivery-limit", "50");
        try (NotifierFixture fixture = new NotifierFixture(dataDir, settings)) {
            double retriedBefore = fixture.count("email", "retried");
            Job job = fixture.done("u1", "frank@example.test", "later.mp4");
            fixture.publish(job);

            await().atMost(PATIENCE).until(() -> fixture.count("email", "retried") >= retriedBefore + 2);
            assertThat(fixture.reload(job).notifyError()).isNull();

            GreenMail late = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            late.start();
            try {
                await().atMost(PATIENCE).until(() -> late.getReceivedMessages().length == 1);
                assertThat(late.getReceivedMessages()[0].getSubject()).isEqualTo("Your MP3 of later.mp4 is ready");
                await().atMost(PATIENCE).until(() -> fixture.reload(job).notifiedAt() != null);
            } finally {
                late.stop();
            }
        }
    }

    @Test
    void anUnreachableServerIsGivenUpOnAtTheLastDelivery() {
        Map<String, String> settings = Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(freePort()),
                "smtp.security", "none", "smtp.connect-timeout", "1s", "queue.delivery-limit", "3");
        try (NotifierFixture fixture = new NotifierFixture(dataDir, settings)) {
            Job job = fixture.done("u1", "gina@example.test", "never.mp4");
            fixture.publish(job);

            await().atMost(PATIENCE).until(() -> fixture.reload(job).notifyError() != null);
            Job given = fixture.reload(job);
            assertThat(given.notifyError().code()).isEqualTo("smtp-unavailable");
            assertThat(given.notifyError().message()).contains("gave up after 3 attempts");
            assertThat(((InProcessJobQueue) fixture.server.backend().queue()).deadLetters(Topic.MP3)).isEmpty();
        }
    }

    // a loaded build machine needs more than GreenMail's default 2 s to start a server
    static ServerSetup[] patient(ServerSetup... setups) {
        for (ServerSetup setup : setups) {
            setup.setServerStartupTimeout(15_000);
        }
        return setups;
    }

    @Test
    void shutdownDoesNotWaitOutARetryBackoff() {
        Map<String, String> settings = Map.of("smtp.host", "127.0.0.1", "smtp.port", String.valueOf(freePort()),
                "smtp.security", "none", "smtp.connect-timeout", "1s",
                "notify.retry-backoff", "1h", "notify.max-retry-backoff", "1h");
        NotifierFixture fixture = new NotifierFixture(dataDir, settings);
        try {
            double retriedBefore = fixture.count("email", "retried");
            Job job = fixture.done("u1", "ivan@example.test", "patient.mp4");
            fixture.publish(job);
            // the first attempt failed; the redelivery now waits an hour before trying again
            await().atMost(PATIENCE).until(() -> fixture.count("email", "retried") > retriedBefore);
        } finally {
            long start = System.nanoTime();
            fixture.close();
            // the in-process queue would wait 30 s for a busy consumer; a waiting retry must end at once
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        return dev.mp3conv.server.testing.FreePorts.next();
    }
}
