package dev.mp3conv.server.storage;

import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import org.bson.Document;

/**
 * The MongoDB connection: one client per process, with timeouts short enough that a dead store
 * fails a request (503) or a start (one clear line) quickly instead of hanging.
 */
public final class Mongo implements AutoCloseable {
    private final MongoClient client;
    private final MongoDatabase database;
    private final String safeUri;

    private Mongo(MongoClient client, MongoDatabase database, String safeUri) {
        this.client = client;
        this.database = database;
        this.safeUri = safeUri;
    }

    /**
     * Connects and checks that the server answers.
     *
     * @param uri              connection string; its password is never logged
     * @param databaseName     database to use
     * @param timeoutMillis    server selection and connect timeout
     * @return the connection
     * @throws IllegalArgumentException when the URI is malformed
     * @throws StoreUnavailableException when the server does not answer a ping
     */
    public static Mongo connect(String uri, String databaseName, long timeoutMillis) {
        ConnectionString connection = new ConnectionString(uri);
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(connection)
                .applyToClusterSettings(c -> c.serverSelectionTimeout(timeoutMillis, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(s -> s.connectTimeout((int) timeoutMillis, TimeUnit.MILLISECONDS)
                        .readTimeout(60, TimeUnit.SECONDS))
                .applicationName("mp3conv")
                .build();
        MongoClient client = MongoClients.create(settings);
        Mongo mongo = new Mongo(client, client.getDatabase(databaseName), redact(connection));
        try {
            mongo.ping();
        } catch (RuntimeException e) {
            client.close();
            throw new StoreUnavailableException("cannot reach MongoDB at " + mongo.safeUri + ": " + rootMessage(e), e);
        }
        return mongo;
    }

    /**
     * The driver's database, for the stores in this package (GridFS) and tests that inspect it; code outside
     * {@code storage} uses {@link #collection(String)}.
     *
     * @return the database
     */
    public MongoDatabase database() {
        return database;
    }

    /**
     * A collection of this database behind blocking calls (what the repositories outside {@code storage} use).
     *
     * @param name collection name
     * @return the collection
     */
    public DocumentCollection collection(String name) {
        return new DocumentCollection(database.getCollection(name));
    }

    /**
     * The connection string without credentials, for logs and messages.
     *
     * @return e.g. {@code mongodb://db:27017/}
     */
    public String safeUri() {
        return safeUri;
    }

    /**
     * Round trip to the server ({@code hello} is not served by the embedded stand-in, {@code ping} is).
     */
    public void ping() {
        Await.done(database.runCommand(new Document("ping", 1)));
    }

    /**
     * Whether the server answers a ping now.
     *
     * @return true when reachable
     */
    public boolean reachable() {
        try {
            ping();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    static String redact(ConnectionString connection) {
        String scheme = connection.isSrvProtocol() ? "mongodb+srv://" : "mongodb://";
        return scheme + String.join(",", connection.getHosts()) + "/";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int cut = message.indexOf(". Client view");
        return cut > 0 ? message.substring(0, cut) : message;
    }
}
