package dev.mp3conv.server.storage;

import java.util.Map;
import java.util.Set;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * mongo-java-server's H2 backend with the lookups the embedded store needs to keep its cost independent of the
 * data: its collections answer a query with an exact {@code _id} from the primary key and, for the fields named
 * in {@link #INDEXED}, a query with an exact value of such a field from an index kept in memory (the stand-in
 * itself only uses unique indexes, and only for a query on exactly their keys: anything else reads and matches
 * every document). A real MongoDB gets the indexes the repositories declare instead.
 */
final class IndexedH2Backend extends H2Backend {
    /**
     * Fields indexed per collection: a job's owner (the jobs list, quotas, fair share) and its state (the
     * sweepers look for the few QUEUED and CONVERTING jobs among many finished ones). A constant, because the
     * super constructor opens the existing databases before this class's fields would be set.
     */
    static final Map<String, Set<String>> INDEXED = Map.of("jobs", Set.of("owner", "state"));

    IndexedH2Backend(MVStore store) {
        super(store);
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName);
    }

    /**
     * The database: creates {@link IndexedH2Collection}s on the same maps the stand-in would use. An inner class
     * on purpose: the super constructor already opens the collections, before a field of this class would be set,
     * while the outer instance is set first.
     */
    private final class Database extends H2Database {
        Database(String name) {
            super(name, IndexedH2Backend.this.getMvStore(), IndexedH2Backend.this.getCursorRegistry());
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // map names as H2Database names them (1.47.0), so files written before stay readable
            String fullName = getFullCollectionNamespace(collectionName);
            MVStore store = IndexedH2Backend.this.getMvStore();
            MVMap<Object, de.bwaldvogel.mongo.bson.Document> data = store.openMap("databases." + fullName);
            MVMap<String, Object> meta = store.openMap("meta." + fullName);
            // MVStore commits in the background once a second: a write answered in that second (an upload's
            // 202) was lost on a kill -9. Committing after each write makes it reach the file (the OS's
            // cache) before the answer; the store serves one request at a time, so commits do not pile up.
            return new IndexedH2Collection(this, collectionName, options, data, meta, cursorRegistry,
                    INDEXED.getOrDefault(collectionName, Set.of()), store::commit);
        }
    }
}
