package dev.mp3conv.server.notify;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.wiser.Wiser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against an SMTP server that refuses mail until the client has upgraded with STARTTLS (GreenMail
 * has no STARTTLS): a mail that arrives at all went over TLS.
 */
class StartTlsIT {
    private static final char[] STORE_PASSWORD = "test-only".toCharArray();

    @TempDir
    Path tempDir;

    private Wiser wiser;

    @BeforeEach
    void startServer() throws Exception {
        SMTPServer.Builder server = SMTPServer.port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .enableTLS()
                .requireTLS()
                .startTlsSocketFactory(serverTls(testKeyStore()));
        wiser = Wiser.create(server);
        wiser.start();
    }

    @AfterEach
    void stopServer() {
        wiser.stop();
    }

    @Test
    void startTlsRequiredDeliversOverTls() throws Exception {
        Map<String, String> settings = Map.of("smtp.host", "127.0.0.1",
                "smtp.port", String.valueOf(wiser.getServer().getPortAllocated()),
                "smtp.security", "starttls",
                // the test certificate is self-signed (for 127.0.0.1); the host name is still checked
                "smtp.ssl-trust", "127.0.0.1",
                "smtp.from", "mp3conv@example.test");
        try (NotifierFixture fixture = new NotifierFixture(tempDir.resolve("data"), settings)) {
            Job job = fixture.done("u1", "tls@example.test", "encrypted.mp4");
            fixture.publish(job);

            await().atMost(Duration.ofSeconds(20)).until(() -> wiser.getMessages().size() == 1);
            var received = wiser.getMessages().get(0);
            assertThat(received.getEnvelopeReceiver()).isEqualTo("tls@example.test");
            assertThat(received.getMimeMessage().getSubject()).isEqualTo("Your MP3 of encrypted.mp4 is ready");
            assertThat(new String(received.getData(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("mp3conv download " + job.id());
            await().atMost(Duration.ofSeconds(20)).until(() -> fixture.reload(job).notifiedAt() != null);
            assertThat(fixture.reload(job).notifyError()).isNull();
        }
    }

    @Test
    void aCertificateThatIsNotTrustedIsAPermanentFailure() {
        Map<String, String> settings = Map.of("smtp.host", "127.0.0.1",
                "smtp.port", String.valueOf(wiser.getServer().getPortAllocated()),
                "smtp.security", "starttls");
        try (NotifierFixture fixture = new NotifierFixture(tempDir.resolve("data"), settings)) {
            Job job = fixture.done("u1", "tls@example.test", "intercepted.mp4");
            fixture.publish(job);

            await().atMost(Duration.ofSeconds(20)).until(() -> fixture.reload(job).notifyError() != null);
            assertThat(fixture.reload(job).notifyError().code()).isEqualTo("smtp-tls");
            assertThat(wiser.getMessages()).isEmpty();
        }
    }

    // a throw-away key pair and self-signed certificate for 127.0.0.1, made with the JDK's keytool
    private Path testKeyStore() throws Exception {
        Path store = tempDir.resolve("smtp-test.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "smtp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        return store;
    }

    private static SSLContext serverTls(Path store) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, STORE_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
