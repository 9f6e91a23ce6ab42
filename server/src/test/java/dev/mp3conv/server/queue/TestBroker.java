package dev.mp3conv.server.queue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.fail;

/**
 * The real RabbitMQ on 127.0.0.1:5672 (DESIGN.md §10): tests skip with a clear message when it is
 * not running, except under CI, where they fail.
 */
final class TestBroker {
    static final String URI = "amqp://guest:guest@127.0.0.1:5672/%2F";

    private TestBroker() {
    }

    static void require() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 2_000);
        } catch (IOException e) {
            String why = "no RabbitMQ on 127.0.0.1:5672 (" + e.getMessage() + "); start it with "
                    + "`rabbitmq-server -detached` or run .ci/run";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    /**
     * Settings with unique queue and exchange names and a fast reconnect.
     */
    static RabbitConfig config(int deliveryLimit, Duration recoveryInterval) {
        String unique = "t" + UUID.randomUUID().toString().substring(0, 8);
        return new RabbitConfig(URI, unique + ".video", unique + ".mp3", unique + ".dlx", deliveryLimit,
                Duration.ofSeconds(10), 4, recoveryInterval, "mp3conv-test-" + unique);
    }

    static Connection connect() {
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(URI);
            factory.setAutomaticRecoveryEnabled(false);
            return factory.newConnection("mp3conv-test-admin");
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to the test broker", e);
        }
    }

    static void deleteTopology(RabbitConfig config) {
        try (Connection connection = connect()) {
            List<String> queues = new ArrayList<>();
            for (Topic topic : Topic.values()) {
                queues.add(config.queue(topic));
                queues.add(config.deadLetterQueue(topic));
            }
            for (String queue : queues) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                }
            }
            try (Channel channel = connection.createChannel()) {
                channel.exchangeDelete(config.deadLetterExchange());
            }
            try (Channel channel = connection.createChannel()) {
                channel.exchangeDelete(config.jobEventsExchange());
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot delete test queues", e);
        }
    }

    /**
     * Closes the broker side of the connection(s) with this client-provided name, as an operator or
     * a network fault would; the rest of the broker's connections (other tests) are left alone.
     *
     * @return how many connections were closed
     */
    static int closeConnections(String connectionName) {
        // one line per connection: "<pid>\t<client properties>"; the JSON formatter prints pids in a
        // form close_connection does not take
        String table = rabbitmqctl("list_connections", "pid", "client_properties", "--no-table-headers", "-q");
        int closed = 0;
        for (String line : table.split("\n")) {
            if (line.contains("\"" + connectionName + "\"")) {
                rabbitmqctl("close_connection", line.split("\t", 2)[0].trim(), "test closes the connection");
                closed++;
            }
        }
        return closed;
    }

    private static String rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run rabbitmqctl (is it on PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
