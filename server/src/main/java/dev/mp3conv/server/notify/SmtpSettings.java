package dev.mp3conv.server.notify;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import dev.mp3conv.server.Settings;
import dev.mp3conv.server.StartupException;
import io.helidon.config.Config;

/**
 * The {@code smtp} config node. {@link #toString()} leaves the password out, so the settings can be
 * logged.
 *
 * @param host           SMTP server
 * @param port           its port
 * @param username       login, empty for no authentication
 * @param password       password, empty for none
 * @param from           sender address
 * @param security       how the connection is protected
 * @param connectTimeout TCP connect timeout
 * @param timeout        read and write timeout of one SMTP exchange
 * @param sslTrust       hosts whose certificate is accepted without validation ({@code *} for any), empty for none
 */
record SmtpSettings(String host,
                    int port,
                    Optional<String> username,
                    Optional<String> password,
                    String from,
                    Security security,
                    Duration connectTimeout,
                    Duration timeout,
                    Optional<String> sslTrust) {

    /** How the SMTP connection is protected. */
    enum Security {
        /** Plain connection upgraded with STARTTLS; refused if the server cannot. */
        STARTTLS,
        /** TLS from the first byte (SMTPS, usually port 465). */
        SSL,
        /** No TLS (local relays and tests only). */
        NONE
    }

    /**
     * Reads the settings, or none when no {@code smtp.host} is set (notifications are then logged).
     *
     * @param smtp the {@code smtp} node
     * @return the settings
     */
    static Optional<SmtpSettings> from(Config smtp) {
        Optional<String> host = text(smtp.get("host"));
        if (host.isEmpty()) {
            return Optional.empty();
        }
        Security security = security(Settings.text(smtp.get("security")));
        int defaultPort = security == Security.SSL ? 465 : 587;
        return Optional.of(new SmtpSettings(host.get(),
                smtp.get("port").asInt().orElse(defaultPort),
                text(smtp.get("username")),
                text(smtp.get("password")),
                Settings.text(smtp.get("from")),
                security,
                Settings.duration(smtp.get("connect-timeout")),
                Settings.duration(smtp.get("timeout")),
                text(smtp.get("ssl-trust"))));
    }

    private static Security security(String value) {
        try {
            return Security.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new StartupException("configuration smtp.security (SMTP_SECURITY): '" + value
                    + "' is not one of starttls, ssl, none");
        }
    }

    private static Optional<String> text(Config node) {
        return node.asString().asOptional().filter(s -> !s.isBlank());
    }

    @Override
    public String toString() {
        return "smtp " + host + ":" + port + " (" + security.name().toLowerCase(Locale.ROOT) + ", "
                + username.map(u -> "user " + u).orElse("no auth") + ", from " + from + ")";
    }
}
