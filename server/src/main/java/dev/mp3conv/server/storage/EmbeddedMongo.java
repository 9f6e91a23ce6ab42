package dev.mp3conv.server.storage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import dev.mp3conv.server.OwnerOnly;
import org.h2.mvstore.MVStore;

/**
 * The single-machine metadata store: mongo-java-server with its H2 file backend under the data
 * directory, listening on an ephemeral loopback port, spoken to through the real MongoDB driver.
 * Blobs never go here (the H2 backend needs ~512 MB of heap per 200 MB of GridFS data); they live in
 * {@link FileSystemBlobStore}.
 */
public final class EmbeddedMongo implements AutoCloseable {
    private final H2Backend backend;
    private final MongoServer server;
    private final InetSocketAddress address;

    private EmbeddedMongo(H2Backend backend, MongoServer server, InetSocketAddress address) {
        this.backend = backend;
        this.server = server;
        this.address = address;
    }

    /**
     * Starts the store on {@code dir/metadata.mv}.
     *
     * @param dir folder for the database file
     * @return the running store
     * @throws IOException when the folder cannot be created
     */
    public static EmbeddedMongo start(Path dir) throws IOException {
        OwnerOnly.createDirectories(dir);
        Path file = dir.resolve("metadata.mv");
        if (!Files.exists(file)) {
            // H2 creates its file with the umask's mode; an empty file of ours it opens as a new store
            OwnerOnly.createFile(file);
        }
        // the stand-in with the lookups that keep the jobs list and the sweepers from reading every job
        H2Backend backend = new IndexedH2Backend(MVStore.open(file.toString()));
        // the driver refuses servers that report a wire version below 8 (MongoDB 4.2)
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);
        // one worker thread: the stand-in encodes findOneAndUpdate replies from the live stored document,
        // so a concurrent update of the same document on another worker thread can throw
        // ConcurrentModificationException mid-reply and the driver never gets an answer
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1, 1);
        InetSocketAddress address = server.getLocalAddress();
        return new EmbeddedMongo(backend, server, address);
    }

    /**
     * Connection string of the loopback listener.
     *
     * @return e.g. {@code mongodb://127.0.0.1:41234}
     */
    public String connectionString() {
        return "mongodb://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        backend.close();
    }
}
