package dev.mp3conv.server.cluster;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.model.Filters;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.awaitility.Awaitility.await;

/**
 * The real roles as separate processes of the packaged launcher ({@code target/mp3conv-server}):
 * gateway+auth, two converters, a notifier, on the real RabbitMQ (queues unique to this cluster) and
 * a MongoDB-wire store in this JVM that a test can stop and start again on the same port with the
 * same data, as a store outage would. Each process's output goes to
 * {@code target/process-cluster/<name>/<process>.log} for post-mortems. Notifications use the log
 * channel (no SMTP).
 */
final class ProcessCluster implements AutoCloseable {
    static final String AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/%2F";
    static final String DATABASE = "mp3conv";
    private static final Path LAUNCHER = Path.of("target", "mp3conv-server").toAbsolutePath();
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path dir;
    private final String unique = "e2e" + UUID.randomUUID().toString().substring(0, 8);
    private final MongoBackend backend;
    private final int storePort;
    private final Map<String, Node> nodes = new HashMap<>();
    private MongoServer store;
    private Mongo client;

    /** One process of the cluster. */
    record Node(String name, Process process, int port, int adminPort, Path log) {
        long pid() {
            return process.pid();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Starts the store; processes are started with {@link #start(String, String, Map)}.
     *
     * @param name names the output directory (the test)
     */
    ProcessCluster(String name) throws IOException {
        this.name = name;
        this.dir = Files.createDirectories(Path.of("target", "process-cluster", name + "-" + unique).toAbsolutePath());
        MemoryBackend memory = new MemoryBackend();
        memory.version(ServerVersion.MONGO_5_0);
        // a server's shutdown closes its backend; the data must outlive a "store outage"
        this.backend = (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(),
                new Class<?>[] {MongoBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        return null;
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        this.storePort = freePort();
        startStore();
        this.client = Mongo.connect(storeUri(), DATABASE, 2000);
    }

    /** Gateway+auth, two converters (one conversion at a time each) and a notifier; waits until all are ready. */
    static ProcessCluster standard(String name) throws IOException {
        ProcessCluster cluster = new ProcessCluster(name);
        try {
            cluster.start("gateway", "gateway,auth", Map.of());
            cluster.start("converter1", "converter", Map.of("CONVERTER_CONCURRENCY", "1"));
            cluster.start("converter2", "converter", Map.of("CONVERTER_CONCURRENCY", "1"));
            cluster.start("notifier", "notifier", Map.of());
            cluster.awaitReady();
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    String storeUri() {
        return "mongodb://127.0.0.1:" + storePort;
    }

    /** Starts the store again on its port, with the data it had. */
    synchronized void startStore() {
        MongoServer server = new MongoServer(backend);
        // one worker thread, as in EmbeddedMongo: concurrent findOneAndUpdate replies are not safe otherwise;
        // the port may take a moment to be free again after a stop
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> {
                    server.bind(new InetSocketAddress("127.0.0.1", storePort), 1, 1);
                    return true;
                });
        store = server;
    }

    /** Stops the store as an outage would: connections dropped, port closed, data kept. */
    synchronized void stopStore() {
        if (store != null) {
            store.shutdownNow();
            store = null;
        }
    }

    /**
     * Starts one process of the launcher.
     *
     * @param node  its name in this cluster (and its HOSTNAME, so converter worker ids start with it)
     * @param roles APP_ROLES
     * @param env   more environment
     * @return the node
     */
    synchronized Node start(String node, String roles, Map<String, String> env) throws IOException {
        int port = freePort();
        int admin = freePort();
        Path data = Files.createDirectories(dir.resolve(node + "-data"));
        Path log = dir.resolve(node + ".log");
        // env UMASK: the process starts under that umask (the launcher is exec'd, so the pid stays the JVM's)
        ProcessBuilder builder = new ProcessBuilder(env.containsKey("UMASK")
                ? List.of("/bin/sh", "-c", "umask \"$UMASK\" && exec \"$0\"", LAUNCHER.toString())
                : List.of(LAUNCHER.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("APP_ROLES", roles);
        environment.put("HOSTNAME", node);
        environment.put("MONGODB_URI", storeUri());
        environment.put("MONGODB_DATABASE", DATABASE);
        environment.put("AMQP_URI", AMQP_URI);
        environment.put("VIDEO_QUEUE", videoQueue());
        environment.put("MP3_QUEUE", mp3Queue());
        environment.put("SERVER_HOST", "127.0.0.1");
        environment.put("SERVER_PORT", String.valueOf(port));
        environment.put("ADMIN_PORT", String.valueOf(admin));
        environment.put("MP3CONV_DATA_DIR", data.toString());
        environment.put("PUBLIC_URL", "http://127.0.0.1:" + port);
        environment.put("CONVERTER_FFMPEG", "/usr/bin/ffmpeg");
        // JAVA_OPTS in env replaces the heap setting (the footprint bench passes the launcher's defaults through)
        environment.put("JAVA_OPTS", String.join(" ", env.getOrDefault("JAVA_OPTS", "-Xmx256m"), "-XX:+ExitOnOutOfMemoryError",
                "-Dadmin.host=127.0.0.1",
                "-Dqueue.dead-letter-exchange=" + unique + ".dlx",
                "-Dconverter.lease=5s", "-Dsweeper.interval=2s", "-Dsweeper.grace=5s", "-Dsweeper.stale=10s",
                "-Damqp.recovery-interval=1s", "-Dmongodb.timeout=2s"));
        environment.remove("SMTP_HOST");
        env.forEach((key, value) -> {
            if (!key.equals("JAVA_OPTS")) {
                environment.put(key, value);
            }
        });
        Node started = new Node(node, builder.start(), port, admin, log);
        nodes.put(node, started);
        return started;
    }

    Node node(String node) {
        Node found = nodes.get(node);
        if (found == null) {
            throw new IllegalArgumentException("no node " + node);
        }
        return found;
    }

    List<Node> converters() {
        return nodes.values().stream().filter(n -> n.name().startsWith("converter")).sorted(
                java.util.Comparator.comparing(Node::name)).toList();
    }

    /** Waits until every running process answers ready. */
    void awaitReady() {
        for (Node node : List.copyOf(nodes.values())) {
            if (node.process().isAlive()) {
                awaitReady(node);
            }
        }
    }

    void awaitReady(Node node) {
        await("%s ready".formatted(node.name())).atMost(READY_WITHIN).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!node.process().isAlive()) {
                        throw new IllegalStateException(node.name() + " exited " + node.process().exitValue()
                                + ":\n" + node.output());
                    }
                    return ready(node);
                });
    }

    boolean ready(Node node) {
        try {
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.adminPort() + "/observe/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** kill -9. */
    void kill(Node node) throws InterruptedException {
        node.process().destroyForcibly();
        node.process().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit. */
    void terminate(Node node) throws InterruptedException {
        node.process().destroy();
        if (!node.process().waitFor(60, TimeUnit.SECONDS)) {
            node.process().destroyForcibly();
        }
    }

    /** Registers a user on the gateway+auth process and returns a bearer token. */
    String userToken(String email) throws IOException, InterruptedException {
        Node gateway = node("gateway");
        String password = "correct horse battery staple";
        byte[] body = Json.mapper().writeValueAsBytes(Map.of("email", email, "password", password));
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(gateway.uri("/api/v1/users"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("registration: " + created.statusCode() + " " + created.body());
        }
        HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(gateway.uri("/api/v1/auth/token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (token.statusCode() != 200) {
            throw new IllegalStateException("login: " + token.statusCode() + " " + token.body());
        }
        return Json.mapper().readTree(token.body()).get("access_token").asText();
    }

    /** Documents of a collection of the store matching a filter (read through the real driver). */
    List<Document> find(String collection, Bson filter) {
        return Flux.from(client.database().getCollection(collection).find(filter)).collectList()
                .block(Duration.ofSeconds(10));
    }

    Document job(String id) {
        List<Document> found = find("jobs", Filters.eq("_id", new org.bson.types.ObjectId(id)));
        return found.isEmpty() ? null : found.getFirst();
    }

    /** The job whose upload has this file name (each test names its uploads apart), or null. */
    Document jobNamed(String filename) {
        List<Document> found = find("jobs", Filters.eq("filename", filename));
        return found.isEmpty() ? null : found.getFirst();
    }

    /** MP3 blobs stored for a job. */
    List<Document> mp3Blobs(String jobId) {
        return find("fs.files", Filters.and(Filters.eq("metadata.job_id", jobId),
                Filters.eq("metadata.content_type", "audio/mpeg")));
    }

    long count(String collection, Bson filter) {
        return Mono.from(client.database().getCollection(collection).countDocuments(filter))
                .block(Duration.ofSeconds(10));
    }

    /** Log lines of the notifier that announce this job's notification. */
    long notificationLines(String jobId) {
        return node("notifier").output().lines().filter(line -> line.contains("job " + jobId + " done for")
                || line.contains("job " + jobId + " failed for")).count();
    }

    String videoQueue() {
        return unique + ".video";
    }

    String mp3Queue() {
        return unique + ".mp3";
    }

    Path dir() {
        return dir;
    }

    /** Whether the broker accepts TCP connections. */
    static boolean brokerListening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops every process (SIGTERM, then kill), the store, and deletes this cluster's queues. */
    @Override
    public void close() {
        List<Node> all = new ArrayList<>(nodes.values());
        all.forEach(node -> node.process().destroy());
        for (Node node : all) {
            try {
                if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
                    node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        client.close();
        stopStore();
        deleteQueues();
    }

    private void deleteQueues() {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(AMQP_URI);
            factory.setAutomaticRecoveryEnabled(false);
            try (Connection connection = factory.newConnection("mp3conv-e2e-cleanup")) {
                for (String queue : List.of(videoQueue(), mp3Queue(), videoQueue() + ".dlq", mp3Queue() + ".dlq")) {
                    try (Channel channel = connection.createChannel()) {
                        channel.queueDelete(queue);
                    }
                }
                try (Channel channel = connection.createChannel()) {
                    channel.exchangeDelete(unique + ".dlx");
                }
                try (Channel channel = connection.createChannel()) {
                    channel.exchangeDelete(videoQueue() + ".job-events");
                }
            }
        } catch (Exception e) {
            System.err.println("ProcessCluster " + name + ": cannot delete queues " + unique + ".*: " + e);
        }
    }

    static int freePort() {
        return dev.mp3conv.server.testing.FreePorts.next();
    }
}
