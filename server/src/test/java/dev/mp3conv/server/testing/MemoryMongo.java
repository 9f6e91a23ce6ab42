package dev.mp3conv.server.testing;

import java.net.InetSocketAddress;

import com.mongodb.reactivestreams.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.server.storage.Mongo;

/**
 * A throw-away MongoDB-wire server (mongo-java-server, memory backend) on a loopback port, spoken
 * to through the real driver. One per test class; each test uses its own database name.
 */
public final class MemoryMongo implements AutoCloseable {
    private final MongoServer server;
    private final Mongo mongo;

    private MemoryMongo(MongoServer server, Mongo mongo) {
        this.server = server;
        this.mongo = mongo;
    }

    /**
     * Starts a server and connects to a database on it.
     *
     * @param database database name
     * @return the running server
     */
    public static MemoryMongo start(String database) {
        MongoServer server = new MongoServer(new MemoryBackend().version(ServerVersion.MONGO_5_0));
        // one worker thread, as in EmbeddedMongo: concurrent findOneAndUpdate replies are not safe otherwise
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1, 1);
        return new MemoryMongo(server, Mongo.connect(uri(server), database, 2000));
    }

    private static String uri(MongoServer server) {
        return "mongodb://127.0.0.1:" + server.getLocalAddress().getPort();
    }

    /**
     * Connection string, for a server started with {@code MONGODB_URI}.
     *
     * @return the URI
     */
    public String uri() {
        return uri(server);
    }

    /**
     * The connected database.
     *
     * @return database
     */
    public MongoDatabase database() {
        return mongo.database();
    }

    /**
     * A collection behind blocking calls.
     *
     * @param name collection name
     * @return the collection
     */
    public dev.mp3conv.server.storage.DocumentCollection collection(String name) {
        return mongo.collection(name);
    }

    /**
     * The connection.
     *
     * @return mongo
     */
    public Mongo mongo() {
        return mongo;
    }

    @Override
    public void close() {
        mongo.close();
        server.shutdownNow();
    }
}
