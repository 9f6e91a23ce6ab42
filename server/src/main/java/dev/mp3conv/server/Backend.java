package dev.mp3conv.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import dev.mp3conv.server.jobs.JobChanges;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.Retention;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.queue.InProcessJobQueue;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.QueueMetrics;
import dev.mp3conv.server.queue.QueueSettings;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.queue.RabbitConfig;
import dev.mp3conv.server.queue.RabbitJobQueue;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import dev.mp3conv.server.storage.GridFsBlobStore;
import dev.mp3conv.server.storage.Mongo;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;

/**
 * The infrastructure every role shares: data directory, metadata store, blob store,
 * jobs collection, job queue, meters. With no {@code MONGODB_URI} it starts the embedded store
 * (metadata in mongo-java-server's H2 file, blobs on the filesystem); with no {@code AMQP_URI} it uses
 * the in-process queue.
 */
public final class Backend implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Backend.class.getName());
    private final Set<Role> roles;
    private final Clock clock;
    private final MeterRegistry meters;
    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final JobRepository jobs;
    private final StorageQuota quota;
    private final JobQueue queue;
    private final JobPublisher publisher;

    private Backend(Retention retention, long userQuota, Set<Role> roles, Clock clock, MeterRegistry meters,
                    MetadataStore metadata, BlobStore blobs, JobQueue queue) {
        this.roles = roles;
        this.clock = clock;
        this.meters = meters;
        this.metadata = metadata;
        this.blobs = blobs;
        JobChanges changes = new JobChanges();
        this.jobs = new JobRepository(metadata.mongo(), clock, retention, changes);
        // every process tells the others what it changed; gateways listen, for their event streams
        changes.forwardTo(queue::announce);
        if (roles.contains(Role.GATEWAY)) {
            queue.onAnnouncement(changes::changedElsewhere);
        }
        this.quota = new StorageQuota(metadata.mongo(), jobs,
                userQuota, retention.orphans());
        this.queue = queue;
        this.publisher = new JobPublisher(queue, jobs);
    }

    /**
     * Opens the stores and the queue, reading the queue settings from the configuration.
     *
     * @param config configuration root
     * @param roles  roles of this process
     * @param clock  time source
     * @return the backend
     * @throws StartupException with one clear line when a store or the queue cannot be opened
     */
    public static Backend open(Config config, Set<Role> roles, Clock clock) {
        return open(config, roles, QueueSettings.from(config.get("queue")), clock);
    }

    /**
     * Opens the stores ({@code mongodb}, {@code app.data-dir}, {@code retention}, {@code quota}) and the queue
     * ({@code amqp}). The roles get their settings from whoever starts them, not from here.
     *
     * @param config configuration root
     * @param roles  roles of this process
     * @param queue  the queue settings
     * @param clock  time source
     * @return the backend
     * @throws StartupException with one clear line when a store or the queue cannot be opened
     */
    public static Backend open(Config config, Set<Role> roles, QueueSettings queue, Clock clock) {
        MetadataStore metadata = MetadataStore.open(config);
        BlobStore blobs = null;
        try {
            Path dataDir = metadata.dataDir();
            if (metadata.embedded()) {
                blobs = FileSystemBlobStore.open(dataDir);
                LOG.log(System.Logger.Level.INFO, "embedded store: metadata in {0}, blobs under {1}",
                        dataDir.resolve("metadata"), dataDir.resolve("blobs"));
            } else {
                blobs = GridFsBlobStore.open(metadata.mongo().database(), "fs");
                LOG.log(System.Logger.Level.INFO, "MongoDB store at {0}, database {1}, blobs in GridFS",
                        metadata.mongo().safeUri(), metadata.mongo().database().getName());
            }
            MeterRegistry meters = Metrics.globalRegistry();
            JobQueue jobQueue = openQueue(config.get("amqp"), queue, roles, new QueueMetrics(meters));
            return new Backend(Retention.from(config.get("retention")), Settings.size(config.get("quota.user")), roles,
                    clock, meters, metadata, blobs, jobQueue);
        } catch (StoreUnavailableException e) {
            closeAll(blobs, metadata);
            throw new StartupException(e.getMessage(), e);
        } catch (IOException e) {
            closeAll(blobs, metadata);
            throw new StartupException("cannot use data directory " + metadata.dataDir() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(blobs, metadata);
            throw e;
        }
    }

    private static JobQueue openQueue(Config amqp, QueueSettings settings, Set<Role> roles, QueueMetrics metrics) {
        if (amqp.get("uri").asString().filter(s -> !s.isBlank()).isPresent()) {
            try {
                return RabbitJobQueue.open(RabbitConfig.create(amqp, settings, connectionName(roles)), metrics);
            } catch (QueueUnavailableException e) {
                throw new StartupException(e.getMessage(), e);
            }
        }
        if (!roles.containsAll(Set.of(Role.GATEWAY, Role.CONVERTER, Role.NOTIFIER))
                && roles.stream().anyMatch(r -> r != Role.AUTH)) {
            LOG.log(System.Logger.Level.WARNING, "no AMQP_URI: the in-process queue only reaches roles in this process ({0}); "
                    + "set AMQP_URI to split roles across processes", roles);
        }
        return new InProcessJobQueue(settings.deliveryLimit(), metrics);
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
        return metadata.dataDir();
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
        return metadata.mongo();
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
     * Stored bytes per user against their quota.
     *
     * @return quota
     */
    public StorageQuota quota() {
        return quota;
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
     * Publishes job messages and records their confirms.
     *
     * @return the publisher of whole jobs' messages
     */
    public JobPublisher publisher() {
        return publisher;
    }

    /**
     * Whether the single-machine embedded store is in use.
     *
     * @return true without MONGODB_URI
     */
    public boolean embedded() {
        return metadata.embedded();
    }

    @Override
    public void close() {
        closeAll(queue, blobs, metadata);
    }
}
