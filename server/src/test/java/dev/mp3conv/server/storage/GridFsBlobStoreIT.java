package dev.mp3conv.server.storage;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.mp3conv.server.testing.MemoryMongo;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
        long uploads = Await.first(db.getCollection(bucket + ".uploads").countDocuments()).orElse(0L);
        return files + chunks + uploads > 0;
    }

    @Override
    void writeLegacy(String objectId, byte[] data) {
        ObjectId id = new ObjectId(objectId);
        Await.done(mongo.database().getCollection(bucket + ".chunks").insertOne(
                new Document("files_id", id).append("n", 0).append("data", new Binary(data))));
        Await.done(mongo.database().getCollection(bucket + ".files").insertOne(new Document("_id", id)
                .append("length", (long) data.length).append("chunkSize", GridFsBlobStore.CHUNK_SIZE)
                .append("uploadDate", new Date()).append("filename", "old.mp4")
                .append("metadata", new Document("owner", "u1").append("job_id", "j1")
                        .append("content_type", "video/mp4"))));
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

    @Test
    void deletesChunksOfAbandonedWritesOnlyOnceTheyAreIdlePastTheGracePeriod() throws Exception {
        var chunks = mongo.database().getCollection(bucket + ".chunks");
        Instant now = Instant.now();
        ObjectId abandoned = new ObjectId();
        ObjectId stillWriting = new ObjectId();
        // chunk ids date the insert, as the driver's generated ids do
        Await.done(chunks.insertMany(List.of(
                chunk(now.minusSeconds(600), abandoned, 0), chunk(now.minusSeconds(590), abandoned, 1),
                chunk(now.minusSeconds(600), stillWriting, 0), chunk(now.minusSeconds(1), stillWriting, 1))));
        BlobInfo complete = store.write(META, new GeneratedStream(GridFsBlobStore.CHUNK_SIZE + 1, 1, -1));

        assertThat(store.deleteAbandonedWrites(now.minusSeconds(60))).isEqualTo(1);

        assertThat(Await.first(chunks.countDocuments(new Document("files_id", abandoned)))).contains(0L);
        assertThat(Await.first(chunks.countDocuments(new Document("files_id", stillWriting)))).contains(2L);
        assertThat(store.open(complete.id()).readAllBytes()).hasSize(GridFsBlobStore.CHUNK_SIZE + 1);
        // a later call, past the idle write's grace, still remembers it though its first chunk was scanned before
        assertThat(store.deleteAbandonedWrites(now.plusSeconds(60))).isEqualTo(1);
        assertThat(Await.first(chunks.countDocuments(new Document("files_id", stillWriting)))).contains(0L);
        assertThat(store.open(complete.id()).readAllBytes()).hasSize(GridFsBlobStore.CHUNK_SIZE + 1);
    }

    @Test
    void aWriteWhoseChunksWereDeletedAsAbandonedFailsInsteadOfStoringABlobWithHoles() {
        var chunks = mongo.database().getCollection(bucket + ".chunks");
        byte[] twoChunks = new byte[2 * GridFsBlobStore.CHUNK_SIZE];
        // the client stalls after two chunks long enough for the sweeper to take the write as abandoned
        InputStream stalling = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(twoChunks),
                new InputStream() {
                    @Override
                    public int read() {
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> Await.first(chunks.countDocuments()).orElse(0L) == 2);
                        Await.done(chunks.deleteMany(new Document()));
                        return -1;
                    }
                });

        assertThatThrownBy(() -> store.write(META, stalling))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("lost chunks");
        assertThat(Await.first(mongo.database().getCollection(bucket + ".files").countDocuments())).contains(0L);
    }

    @Test
    void resumableWriteKeepsItsPartialChunkInASideDocumentAndIsNotSweptAsAbandoned() throws Exception {
        String id = store.createResumable(META);
        long length = store.append(id, 0, new GeneratedStream(2 * GridFsBlobStore.CHUNK_SIZE + 10, 2, -1));
        var db = mongo.database();
        assertThat(Await.first(db.getCollection(bucket + ".chunks").countDocuments())).contains(2L);
        Document side = Await.first(db.getCollection(bucket + ".uploads").find()).orElseThrow();
        assertThat(side.get("tail", Binary.class).getData()).hasSize(10);
        assertThat(((Number) side.get("length")).longValue()).isEqualTo(length);

        // another process (a second gateway) continues from the durable state alone
        GridFsBlobStore other = GridFsBlobStore.open(db, bucket);
        assertThat(other.deleteAbandonedWrites(Instant.now().plusSeconds(3600))).isZero();
        long end = other.append(id, length, new GeneratedStream(5, 3, -1));
        assertThat(other.completeResumable(id, end).length()).isEqualTo(2L * GridFsBlobStore.CHUNK_SIZE + 15);
        assertThat(Await.first(db.getCollection(bucket + ".chunks").countDocuments())).contains(3L);
        assertThat(Await.first(db.getCollection(bucket + ".uploads").countDocuments())).contains(0L);
    }

    private static Document chunk(Instant at, ObjectId file, int n) {
        return new Document("_id", new ObjectId(Date.from(at))).append("files_id", file).append("n", n)
                .append("data", new Binary(new byte[16]));
    }
}
