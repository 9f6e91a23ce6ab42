package dev.mp3conv.server.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's lookups by {@code _id}, owner and state answer what a full scan answers, through the
 * real driver: first pages newest first, pages after a cursor, counts, updates and deletes that move documents
 * between values, and an index rebuilt from the file after a restart.
 */
class IndexedH2CollectionTest {
    @TempDir
    Path dir;

    private EmbeddedMongo store;
    private Mongo mongo;
    private MongoCollection<Document> jobs;
    private final List<Document> model = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        start();
        String[] owners = {"a", "a", "a", "b", "c"};
        String[] states = {"DONE", "DONE", "QUEUED", "CONVERTING", "FAILED", "DONE"};
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Document doc = new Document("_id", new ObjectId()).append("owner", owners[i % owners.length])
                    .append("state", states[i % states.length]).append("n", i);
            if (i % 7 == 0) {
                doc.append("expired_at", new java.util.Date());
            }
            batch.add(doc);
        }
        Await.done(jobs.insertMany(batch));
        model.addAll(batch);
    }

    @AfterEach
    void close() {
        mongo.close();
        store.close();
    }

    private void start() throws Exception {
        store = EmbeddedMongo.start(dir.resolve("metadata"));
        mongo = Mongo.connect(store.connectionString(), "test", 5000);
        jobs = mongo.database().getCollection("jobs");
    }

    @Test
    void firstPagesAndCursorPagesAreTheNewestMatches() {
        ObjectId cursor = ids(model.stream().filter(d -> d.get("owner").equals("a")).toList(), true).get(40);
        Bson mine = and(eq("owner", "a"), eq("expired_at", null));
        assertPage(mine, descending("_id"), 20, d -> d.get("owner").equals("a") && d.get("expired_at") == null, true);
        assertPage(and(mine, lt("_id", cursor)), descending("_id"), 21,
                d -> d.get("owner").equals("a") && d.get("expired_at") == null
                        && d.getObjectId("_id").compareTo(cursor) < 0, true);
        assertPage(eq("owner", "b"), ascending("_id"), 7, d -> d.get("owner").equals("b"), false);
        assertPage(eq("owner", "nobody"), descending("_id"), 20, d -> false, true);
    }

    @Test
    void stateAndIdConditionsNarrowWithoutChangingTheAnswer() {
        assertPage(eq("state", "QUEUED"), null, 0, d -> d.get("state").equals("QUEUED"), false);
        assertPage(and(in("state", "QUEUED", "CONVERTING"), eq("owner", "a")), null, 0,
                d -> List.of("QUEUED", "CONVERTING").contains(d.getString("state")) && d.get("owner").equals("a"), false);
        assertPage(in("state", "DONE", "FAILED"), null, 0, d -> List.of("DONE", "FAILED").contains(d.getString("state")), false);
        Document one = model.get(17);
        assertPage(and(eq("_id", one.getObjectId("_id")), eq("owner", one.getString("owner"))), null, 0,
                d -> d == one, false);
        assertPage(and(eq("_id", one.getObjectId("_id")), eq("owner", "someone else")), null, 0, d -> false, false);
        assertThat(Await.first(jobs.countDocuments(and(eq("owner", "a"), eq("state", "QUEUED")))).orElseThrow())
                .isEqualTo(model.stream().filter(d -> d.get("owner").equals("a") && d.get("state").equals("QUEUED")).count());
    }

    @Test
    void updatesAndDeletesMoveDocumentsBetweenValues() throws Exception {
        Document moved = model.get(2);
        Await.done(jobs.updateOne(eq("_id", moved.getObjectId("_id")), Updates.combine(Updates.set("state", "DONE"),
                Updates.set("owner", "c"))));
        moved.put("state", "DONE");
        moved.put("owner", "c");
        Document gone = model.remove(0);
        Await.done(jobs.deleteOne(eq("_id", gone.getObjectId("_id"))));
        Await.done(jobs.deleteMany(and(eq("owner", "b"), eq("state", "FAILED"))));
        model.removeIf(d -> d.get("owner").equals("b") && d.get("state").equals("FAILED"));
        Document tagged = new Document("_id", new ObjectId()).append("owner", List.of("x", "y")).append("state", "DONE");
        Await.done(jobs.insertOne(tagged));
        model.add(tagged);

        for (int round = 0; round < 2; round++) {
            assertPage(eq("state", "QUEUED"), null, 0, d -> d.get("state").equals("QUEUED"), false);
            assertPage(eq("owner", "c"), descending("_id"), 500, d -> d.get("owner").equals("c"), true);
            assertPage(eq("owner", "b"), descending("_id"), 500, d -> d.get("owner").equals("b"), true);
            assertPage(eq("owner", "y"), null, 0, d -> d == tagged, false);
            // the index is rebuilt from the file
            close();
            start();
        }
        assertThat(Files.exists(dir.resolve("metadata").resolve("metadata.mv"))).isTrue();
    }

    @Test
    void indexedConditionsNarrowTheCandidatesOthersScan() {
        de.bwaldvogel.mongo.backend.h2.H2Backend backend = new IndexedH2Backend(org.h2.mvstore.MVStore.open(null));
        de.bwaldvogel.mongo.MongoServer server = new de.bwaldvogel.mongo.MongoServer(
                backend.version(de.bwaldvogel.mongo.ServerVersion.MONGO_5_0));
        server.bind(new java.net.InetSocketAddress("127.0.0.1", 0), 1, 1);
        try (Mongo other = Mongo.connect("mongodb://127.0.0.1:" + server.getLocalAddress().getPort(), "t", 5000)) {
            Await.done(other.database().getCollection("jobs").insertMany(model));
            IndexedH2Collection stored = (IndexedH2Collection) backend.resolveDatabase("t").resolveCollection("jobs", true);
            long queued = model.stream().filter(d -> d.get("state").equals("QUEUED")).count();
            assertThat(stored.candidates(new de.bwaldvogel.mongo.bson.Document("owner", "b")).size())
                    .isEqualTo(model.stream().filter(d -> d.get("owner").equals("b")).count());
            assertThat(stored.candidates(new de.bwaldvogel.mongo.bson.Document("$and", List.of(
                    new de.bwaldvogel.mongo.bson.Document("owner", "a"),
                    new de.bwaldvogel.mongo.bson.Document("state", "QUEUED")))).size()).isEqualTo((int) queued);
            assertThat(stored.candidates(new de.bwaldvogel.mongo.bson.Document("n", 3))).isNull();
            // DONE and FAILED are most jobs: merging their keys would cost more than the scan
            assertThat(stored.candidates(new de.bwaldvogel.mongo.bson.Document("state",
                    new de.bwaldvogel.mongo.bson.Document("$in", List.of("DONE", "FAILED"))))).isNull();
        } finally {
            server.shutdown();
        }
    }

    private void assertPage(Bson filter, Bson sort, int limit, Predicate<Document> expected, boolean descending) {
        var find = jobs.find(filter);
        if (sort != null) {
            find = find.sort(sort);
        }
        if (limit > 0) {
            find = find.limit(limit);
        }
        List<ObjectId> got = Await.all(find).stream().map(d -> d.getObjectId("_id")).toList();
        List<ObjectId> want = ids(model.stream().filter(expected).toList(), descending);
        if (limit > 0 && want.size() > limit) {
            want = want.subList(0, limit);
        }
        if (sort == null) {
            assertThat(got).containsExactlyInAnyOrderElementsOf(want);
        } else {
            assertThat(got).containsExactlyElementsOf(want);
        }
    }

    private static List<ObjectId> ids(List<Document> docs, boolean descending) {
        Comparator<ObjectId> order = descending ? Comparator.reverseOrder() : Comparator.naturalOrder();
        return docs.stream().map(d -> d.getObjectId("_id")).sorted(order).toList();
    }
}
