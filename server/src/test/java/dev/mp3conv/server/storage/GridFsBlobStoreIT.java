package dev.mp3conv.server.storage;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.mp3conv.server.testing.MemoryMongo;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blob contract against GridFS on the mongo-java-server stand-in, through the real reactive driver.
 */
class GridFsBlobStoreIT extends BlobStoreContract {
    private static MemoryMongo mongo;
    private GridFsBlobStore store;
    private String bucket;

    @BeforeAll
    static void startMongo() {
        mongo = MemoryMongo.start("blobs");
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @BeforeEach
    void open() {
        bucket = "b" + System.nanoTime();
        store = GridFsBlobStore.open(mongo.database(), bucket);
    }

    @Override
    BlobStore store() {
        return store;
    }

    @Override
    boolean anythingLeftBehind() {
        MongoDatabase db = mongo.database();
        long files = Await.first(db.getCollection(bucket + ".files").countDocuments()).orElse(0L);
        long chunks = Await.first(db.getCollection(bucket + ".chunks").countDocuments()).orElse(0L);
        return files + chunks > 0;
    }

    @Test
    void usesTheStandardGridFsLayoutWithOneMegabyteChunks() throws Exception {
        BlobInfo info = store.write(META, new GeneratedStream(2 * GridFsBlobStore.CHUNK_SIZE + 1, 1, -1));
        Document file = Await.first(mongo.database().getCollection(bucket + ".files").find()).orElseThrow();
        assertThat(file.getInteger("chunkSize")).isEqualTo(1024 * 1024);
        assertThat(((Number) file.get("length")).longValue()).isEqualTo(info.length());
        assertThat(file.get("metadata", Document.class).getString("owner")).isEqualTo("u1");
        assertThat(Await.first(mongo.database().getCollection(bucket + ".chunks").countDocuments())).contains(3L);
        assertThat(store.reachable()).isTrue();
    }
}
