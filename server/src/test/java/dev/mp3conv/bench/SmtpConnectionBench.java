package dev.mp3conv.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * What the notifier's connection reuse buys: the course notifier opened a new SMTP session, connection
 * and login per message; mp3conv keeps one {@link Session} and reuses logged-in connections, checking
 * each with NOOP before reuse (as {@code SmtpConnections} does). Both send the same messages to a
 * GreenMail SMTP server with authentication on 127.0.0.1, alternating rounds; medians are printed.
 *
 * <pre>bench/smtp-connections.sh [messagesPerRound] [rounds]</pre>
 */
public final class SmtpConnectionBench {
    private static final String LOGIN = "bench";
    private static final String PASSWORD = "bench-password";

    private SmtpConnectionBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ServerSetup setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        setup.setServerStartupTimeout(15_000);
        GreenMail server = new GreenMail(setup);
        server.setUser("bench@example.test", LOGIN, PASSWORD);
        server.start();
        try {
            int port = server.getSmtp().getPort();
            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", String.valueOf(port));
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.connectiontimeout", "10000");
            props.put("mail.smtp.timeout", "30000");
            // warm-up: class loading and JIT for both paths
            perMessage(props, 50);
            reused(props, 50);
            server.purgeEmailFromAllMailboxes();
            List<Double> fresh = new ArrayList<>();
            List<Double> pooled = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                fresh.add(perMessage(props, messages));
                server.purgeEmailFromAllMailboxes();
                pooled.add(reused(props, messages));
                server.purgeEmailFromAllMailboxes();
            }
            double freshMedian = median(fresh);
            double pooledMedian = median(pooled);
            System.out.printf(Locale.ROOT, "SMTP with auth on 127.0.0.1 (GreenMail), %d messages x %d alternating rounds%n",
                    messages, rounds);
            System.out.printf(Locale.ROOT, "  new session + connection + login per message: %8.0f msg/s (median; rounds %s)%n",
                    freshMedian, format(fresh));
            System.out.printf(Locale.ROOT, "  one session, reused connection (NOOP check):  %8.0f msg/s (median; rounds %s)%n",
                    pooledMedian, format(pooled));
            System.out.printf(Locale.ROOT, "  ratio reused / per-message: %.2fx%n", pooledMedian / freshMedian);
        } finally {
            server.stop();
        }
    }

    private static double perMessage(Properties props, int count) throws MessagingException {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Session session = Session.getInstance(props);
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect(LOGIN, PASSWORD);
                MimeMessage message = message(session, i);
                transport.sendMessage(message, message.getAllRecipients());
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double reused(Properties props, int count) throws MessagingException {
        long start = System.nanoTime();
        Session session = Session.getInstance(props);
        Transport transport = session.getTransport("smtp");
        try {
            transport.connect(LOGIN, PASSWORD);
            for (int i = 0; i < count; i++) {
                if (!transport.isConnected()) {
                    transport.connect(LOGIN, PASSWORD);
                }
                MimeMessage message = message(session, i);
                transport.sendMessage(message, message.getAllRecipients());
            }
        } finally {
            transport.close();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static MimeMessage message(Session session, int i) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("mp3conv@example.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("user" + (i % 10) + "@example.test"));
        message.setSubject("Your MP3 of talk-" + i + ".mp4 is ready", "UTF-8");
        message.setText("The MP3 of talk-" + i + ".mp4 is ready.\n\n    mp3conv download 65f0c0ffee0000000000abcd\n", "UTF-8");
        message.saveChanges();
        return message;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String format(List<Double> values) {
        return Arrays.toString(values.stream().mapToLong(Math::round).toArray());
    }
}
