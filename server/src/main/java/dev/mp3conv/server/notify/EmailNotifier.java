package dev.mp3conv.server.notify;

import java.io.IOException;
import java.util.Date;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mp3conv.server.jobs.Job;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Emails the owner of a finished job through one SMTP server (angus-mail). One {@link Session} for
 * the process; connections are reused through a {@link SmtpConnections} pool instead of one
 * login per message. Failures are sorted into retryable (4xx, connection, timeout) and permanent
 * (5xx, authentication refused, malformed address).
 */
final class EmailNotifier implements OwnerNotifier {
    private static final Pattern RESPONSE_CODE = Pattern.compile("response: ([2-5]\\d\\d)");

    private final SmtpSettings settings;
    private final Session session;
    private final SmtpConnections connections;
    private final InternetAddress from;
    private final String publicUrl;

    EmailNotifier(SmtpSettings settings, String publicUrl, int poolSize) {
        this.settings = settings;
        this.session = Session.getInstance(properties(settings));
        this.connections = new SmtpConnections(session, settings, poolSize);
        this.publicUrl = publicUrl;
        try {
            this.from = new InternetAddress(settings.from(), true);
        } catch (AddressException e) {
            throw new dev.mp3conv.server.StartupException("configuration smtp.from (SMTP_FROM): '" + settings.from()
                    + "' is not an email address");
        }
    }

    static Properties properties(SmtpSettings settings) {
        Properties props = new Properties();
        props.put("mail.transport.protocol", "smtp");
        props.put("mail.smtp.host", settings.host());
        props.put("mail.smtp.port", String.valueOf(settings.port()));
        props.put("mail.smtp.connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        props.put("mail.smtp.timeout", String.valueOf(settings.timeout().toMillis()));
        props.put("mail.smtp.writetimeout", String.valueOf(settings.timeout().toMillis()));
        props.put("mail.smtp.auth", String.valueOf(settings.username().isPresent()));
        // trusting any certificate makes a host name check meaningless (anyone can issue one for any name)
        props.put("mail.smtp.ssl.checkserveridentity", String.valueOf(!settings.sslTrust().map("*"::equals).orElse(false)));
        switch (settings.security()) {
            case STARTTLS -> {
                props.put("mail.smtp.starttls.enable", "true");
                // never fall back to sending credentials and mail in clear text
                props.put("mail.smtp.starttls.required", "true");
            }
            case SSL -> props.put("mail.smtp.ssl.enable", "true");
            case NONE -> {
            }
        }
        settings.sslTrust().ifPresent(hosts -> props.put("mail.smtp.ssl.trust", hosts));
        return props;
    }

    @Override
    public String channel() {
        return "email";
    }

    @Override
    public void send(Job job) throws NotificationException {
        MimeMessage message = message(job);
        try {
            connections.send(message);
        } catch (MessagingException e) {
            throw classify(e);
        }
    }

    private MimeMessage message(Job job) throws NotificationException {
        JobMail mail = JobMail.of(job, publicUrl);
        try {
            InternetAddress to;
            try {
                to = new InternetAddress(job.ownerEmail(), true);
            } catch (AddressException | NullPointerException e) {
                throw NotificationException.permanentFailure("bad-recipient",
                        "the owner's address '" + job.ownerEmail() + "' is not a valid email address", e);
            }
            MimeMessage message = new MimeMessage(session);
            message.setFrom(from);
            message.setRecipient(Message.RecipientType.TO, to);
            message.setSubject(mail.subject(), "UTF-8");
            message.setSentDate(new Date());
            // tells auto-responders not to answer
            message.setHeader("Auto-Submitted", "auto-generated");
            MimeBodyPart text = new MimeBodyPart();
            text.setText(mail.text(), "UTF-8");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(mail.html(), "UTF-8", "html");
            message.setContent(new MimeMultipart("alternative", text, html));
            message.saveChanges();
            return message;
        } catch (MessagingException e) {
            throw NotificationException.permanentFailure("mail-compose", "the email could not be composed: " + e.getMessage(), e);
        }
    }

    /**
     * Sorts an SMTP failure: a reply code decides when there is one (4xx retry, 5xx give up), then
     * a refused certificate is permanent, other I/O trouble (refused, reset, timeout) is retryable, and
     * anything else (e.g. STARTTLS required but not offered) is a configuration problem that retrying
     * cannot fix.
     *
     * @param e the failure
     * @return the classified exception
     */
    static NotificationException classify(MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            return NotificationException.permanentFailure("smtp-auth",
                    "the SMTP server refused the login: " + oneLine(e.getMessage()), e);
        }
        int code = replyCode(e);
        if (code >= 400 && code < 500) {
            return NotificationException.transientFailure("smtp-busy", "the SMTP server deferred the mail: "
                    + oneLine(describe(e)), e);
        }
        if (code >= 500) {
            return NotificationException.permanentFailure("smtp-rejected", "the SMTP server rejected the mail: "
                    + oneLine(describe(e)), e);
        }
        if (has(e, javax.net.ssl.SSLHandshakeException.class) || has(e, java.security.cert.CertificateException.class)) {
            // a certificate the client does not accept will not change by retrying in a minute
            return NotificationException.permanentFailure("smtp-tls", "TLS with the SMTP server failed: "
                    + oneLine(describe(e)), e);
        }
        if (has(e, IOException.class)) {
            return NotificationException.transientFailure("smtp-unavailable", "cannot reach the SMTP server: "
                    + oneLine(describe(e)), e);
        }
        return NotificationException.permanentFailure("smtp-config", "SMTP failed: " + oneLine(describe(e)), e);
    }

    private static int replyCode(MessagingException e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SMTPAddressFailedException a) {
                return a.getReturnCode();
            }
            if (t instanceof SMTPSendFailedException s) {
                return s.getReturnCode();
            }
            if (t instanceof SMTPSenderFailedException s) {
                return s.getReturnCode();
            }
        }
        Matcher m = e.getMessage() == null ? null : RESPONSE_CODE.matcher(e.getMessage());
        return m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    // the most specific message: an address failure names the address and the server's answer
    private static String describe(MessagingException e) {
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = next(t)) {
            if (t.getMessage() != null) {
                deepest = t;
            }
        }
        return deepest == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + deepest.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    @Override
    public void close() {
        connections.close();
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
