package dev.mp3conv.server.gateway;

import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Retention and quotas on GridFS (MONGODB_URI set), the stand-in living across the server's restarts. */
class GridFsRetentionAndQuotaIT extends RetentionAndQuotaContract {
    private MongoServer mongoServer;
    private String uri;

    @BeforeEach
    @Override
    void startDefault() {
        mongoServer = new MongoServer(new MemoryBackend());
        // one worker thread, as in EmbeddedMongo: concurrent findOneAndUpdate replies are not safe otherwise
        mongoServer.bind(new java.net.InetSocketAddress("127.0.0.1", 0), 1, 1);
        uri = "mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort();
        super.startDefault();
    }

    @AfterEach
    void stopMongo() {
        mongoServer.shutdownNow();
    }

    @Override
    Map<String, String> storeSettings() {
        return Map.of("mongodb.uri", uri, "mongodb.database", "retention-it");
    }

    @Override
    boolean anythingStored() {
        var db = server.backend().mongo();
        return db.collection("fs.files").countDocuments(new Document()) > 0
                || db.collection("fs.chunks").countDocuments(new Document()) > 0;
    }
}
