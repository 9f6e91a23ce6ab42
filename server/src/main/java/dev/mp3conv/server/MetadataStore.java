package dev.mp3conv.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mp3conv.server.storage.EmbeddedMongo;
import dev.mp3conv.server.storage.Mongo;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.config.Config;

/**
 * The metadata database alone, opened from the same configuration as the server: the embedded store
 * under the data directory without {@code MONGODB_URI}, the configured MongoDB otherwise. {@link Backend}
 * builds on it; operator subcommands ({@code mp3conv-server user …}) open only this, never the web
 * server, blob store or queue.
 */
public final class MetadataStore implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MetadataStore.class.getName());

    private final Path dataDir;
    private final EmbeddedMongo embedded;
    private final Mongo mongo;

    private MetadataStore(Path dataDir, EmbeddedMongo embedded, Mongo mongo) {
        this.dataDir = dataDir;
        this.embedded = embedded;
        this.mongo = mongo;
    }

    /**
     * Opens the metadata database that the configuration names.
     *
     * @param config configuration root
     * @return the open store
     * @throws StartupException with one clear line when it cannot be opened
     */
    public static MetadataStore open(Config config) {
        Path dataDir = dataDir(config);
        EmbeddedMongo embedded = null;
        try {
            OwnerOnly.createDirectories(dataDir);
            String database = Settings.text(config.get("mongodb.database"));
            long timeout = Settings.duration(config.get("mongodb.timeout")).toMillis();
            String uri = config.get("mongodb.uri").asString().filter(s -> !s.isBlank()).orElse(null);
            if (uri == null) {
                embedded = startEmbedded(dataDir);
                return new MetadataStore(dataDir, embedded, Mongo.connect(embedded.connectionString(), database, timeout));
            }
            return new MetadataStore(dataDir, null, Mongo.connect(uri, database, timeout));
        } catch (IllegalArgumentException e) {
            close(embedded);
            throw new StartupException("MONGODB_URI is not a valid MongoDB connection string: " + e.getMessage(), e);
        } catch (StoreUnavailableException e) {
            close(embedded);
            throw new StartupException(e.getMessage(), e);
        } catch (IOException e) {
            close(embedded);
            throw new StartupException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(embedded);
            throw e;
        }
    }

    static Path dataDir(Config config) {
        return AppSettings.dataDir(config.get("app"));
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

    private static void close(EmbeddedMongo embedded) {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "while closing after a failed start", e);
            }
        }
    }

    /**
     * Data directory (embedded store, blobs, generated keys).
     *
     * @return absolute path
     */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The database connection.
     *
     * @return mongo
     */
    public Mongo mongo() {
        return mongo;
    }

    /**
     * Whether this is the single-machine embedded store.
     *
     * @return true without MONGODB_URI
     */
    public boolean embedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        try {
            mongo.close();
        } finally {
            close(embedded);
        }
    }
}
