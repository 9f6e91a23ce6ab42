package dev.mp3conv.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.queue.InProcessJobQueue;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.QueueMetrics;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.queue.RabbitConfig;
import dev.mp3conv.server.queue.RabbitJobQueue;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.EmbeddedMongo;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import dev.mp3conv.server.storage.GridFsBlobStore;
import dev.mp3conv.server.storage.Mongo;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;

/**
 * The infrastructure every role shares: configuration, data directory, metadata store, blob store,
 * jobs collection, job queue, meters. With no {@code MONGODB_URI} it starts the embedded store
 * (metadata in mongo-java-server's H2 file, blobs on the filesystem); with no {@code AMQP_URI} it uses
 * the in-process queue.
 */
public final class Backend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backend.class.getName());

    private final Config config;
    private final Set<Role> roles;
    private final Path dataDir;
    private final Clock clock;
    private final MeterRegistry meters;
    private final EmbeddedMongo embedded;
    private final Mongo mongo;
    private final BlobStore blobs;
    private final JobRepository jobs;
    private final JobQueue queue;

    private Backend(Config config, Set<Role> roles, Path dataDir, Clock clock, MeterRegistry meters,
                    EmbeddedMongo embedded, Mongo mongo, BlobStore blobs, JobQueue queue) {
        this.config = config;
        this.roles = roles;
        this.dataDir = dataDir;
        this.clock = clock;
        this.meters = meters;
        this.embedded = embedded;
        this.mongo = mongo;
        this.blobs = blobs;
        this.jobs = new JobRepository(mongo.database(), clock);
        this.queue = queue;
    }

    /**
     * Opens the stores and the queue.
     *
     * @param config configuration
     * @param roles  roles of this process
     * @param clock  time source
     * @return the backend
     * @throws StartupException with one clear line when a store or the queue cannot be opened
     */
    public static Backend open(Config config, Set<Role> roles, Clock clock) {
        Path dataDir = Path.of(config.get("app.data-dir").asString().orElse("data")).toAbsolutePath().normalize();
        EmbeddedMongo embedded = null;
        Mongo mongo = null;
        BlobStore blobs = null;
        try {
            Files.createDirectories(dataDir);
            String database = config.get("mongodb.database").asString().orElse("mp3conv");
            long timeout = Settings.duration(config.get("mongodb.timeout"), java.time.Duration.ofSeconds(5)).toMillis();
            String uri = config.get("mongodb.uri").asString().filter(s -> !s.isBlank()).orElse(null);
            if (uri == null) {
                embedded = startEmbedded(dataDir);
                mongo = Mongo.connect(embedded.connectionString(), database, timeout);
                blobs = FileSystemBlobStore.open(dataDir);
                LOG.log(System.Logger.Level.INFO, "embedded store: metadata in {0}, blobs under {1}",
                        dataDir.resolve("metadata"), dataDir.resolve("blobs"));
            } else {
                mongo = Mongo.connect(uri, database, timeout);
                blobs = GridFsBlobStore.open(mongo.database(), "fs");
                LOG.log(System.Logger.Level.INFO, "MongoDB store at {0}, database {1}, blobs in GridFS",
                        mongo.safeUri(), database);
            }
            MeterRegistry meters = Metrics.globalRegistry();
            JobQueue queue = openQueue(config, roles, new QueueMetrics(meters));
            return new Backend(config, roles, dataDir, clock, meters, embedded, mongo, blobs, queue);
        } catch (IllegalArgumentException e) {
            closeAll(blobs, mongo, embedded);
            throw new StartupException("MONGODB_URI is not a valid MongoDB connection string: " + e.getMessage(), e);
        } catch (StoreUnavailableException e) {
            closeAll(blobs, mongo, embedded);
            throw new StartupException(e.getMessage(), e);
        } catch (IOException e) {
            closeAll(blobs, mongo, embedded);
            throw new StartupException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(blobs, mongo, embedded);
            throw e;
        }
    }

    private static EmbeddedMongo startEmbedded(Path dataDir) throws IOException {
        try {
            return EmbeddedMongo.start(dataDir.resolve("metadata"));
        } catch (org.h2.mvstore.MVStoreException e) {
            if (e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED) {
                throw new StartupException("the embedded store in " + dataDir + " is in use by another process "
                        + "(another mp3conv-server on the same MP3CONV_DATA_DIR?)", e);
            }
            throw new StartupException("cannot open the embedded store in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static JobQueue openQueue(Config config, Set<Role> roles, QueueMetrics metrics) {
        int deliveryLimit = config.get("queue.delivery-limit").asInt().orElse(5);
        String amqp = config.get("amqp.uri").asString().filter(s -> !s.isBlank()).orElse(null);
        if (amqp != null) {
            try {
                return RabbitJobQueue.open(RabbitConfig.create(config, connectionName(roles)), metrics);
            } catch (QueueUnavailableException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        if (!roles.containsAll(Set.of(Role.GATEWAY, Role.CONVERTER, Role.NOTIFIER))
                && roles.stream().anyMatch(r -> r != Role.AUTH)) {
            LOG.log(System.Logger.Level.WARNING, "no AMQP_URI: the in-process queue only reaches roles in this process ({0}); "
                    + "set AMQP_URI to split roles across processes", roles);
        }
        return new InProcessJobQueue(deliveryLimit, metrics);
    }

    private static String connectionName(Set<Role> roles) {
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        return "mp3conv " + roles.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).sorted()
                .collect(java.util.stream.Collectors.joining(",")) + " on " + host;
    }

    private static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.DEBUG, "while closing after a failed start", e);
                }
            }
        }
    }

    /**
     * Configuration root.
     *
     * @return config
     */
    public Config config() {
        return config;
    }

    /**
     * Roles of this process.
     *
     * @return roles
     */
    public Set<Role> roles() {
        return roles;
    }

    /**
     * Data directory (embedded store, blobs, generated keys, extracted ffmpeg).
     *
     * @return absolute path
     */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Time source.
     *
     * @return clock
     */
    public Clock clock() {
        return clock;
    }

    /**
     * Meter registry.
     *
     * @return registry
     */
    public MeterRegistry meters() {
        return meters;
    }

    /**
     * Metadata database connection.
     *
     * @return mongo
     */
    public Mongo mongo() {
        return mongo;
    }

    /**
     * Blob store.
     *
     * @return blobs
     */
    public BlobStore blobs() {
        return blobs;
    }

    /**
     * Jobs collection.
     *
     * @return jobs
     */
    public JobRepository jobs() {
        return jobs;
    }

    /**
     * Job queue.
     *
     * @return queue
     */
    public JobQueue queue() {
        return queue;
    }

    /**
     * Whether the single-machine embedded store is in use.
     *
     * @return true without MONGODB_URI
     */
    public boolean embedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        closeAll(queue, blobs, mongo, embedded);
    }
}
