package dev.mp3conv.server.storage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.MVMap;

/**
 * A collection of the embedded store that finds the candidates of a query without reading every document: an
 * exact {@code _id} is looked up in the primary key; an exact value (or {@code $in} of values) of an indexed
 * string field is looked up in an in-memory index of that field, which maps each value to the keys of its
 * documents in key order. Conditions under a top-level {@code $and} count too. Every candidate is still matched
 * against the whole query and sorted by the stand-in itself, so the answer is what a full scan gives; with a
 * sort on {@code _id} alone and a limit, the walk over the candidates stops once the page is full (the jobs
 * list: newest first, a page at a time). The index is built from the documents when the collection opens and
 * kept up to date by every insert, update and delete (they all run under the collection's lock).
 */
final class IndexedH2Collection extends H2Collection {
    private static final String ID = "_id";

    private final MVMap<Object, Document> data;
    private final Set<String> fields;
    /** field → value → keys of the documents holding it, ordered as the stand-in orders {@code _id} values. */
    private final Map<String, Map<String, Keys>> index = new ConcurrentHashMap<>();
    /** Runs after every write: the backend commits, so an answered write survives a kill -9 of the process. */
    private final Runnable written;

    /** The keys of one value, with their number (a skip list counts its elements one by one). */
    private static final class Keys {
        private final NavigableSet<Object> keys = new ConcurrentSkipListSet<>(ValueComparator.asc());
        private final AtomicInteger size = new AtomicInteger();
    }

    /** Candidate keys of a query in key order, and how many there are. */
    record Candidates(NavigableSet<Object> keys, int size) {
    }

    IndexedH2Collection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
                        MVMap<String, Object> meta, CursorRegistry cursors, Set<String> fields, Runnable written) {
        super(database, name, options, data, meta, cursors);
        this.data = data;
        this.written = written;
        this.fields = fields;
        for (String field : fields) {
            index.put(field, new ConcurrentHashMap<>());
        }
        if (!fields.isEmpty()) {
            data.forEach((key, document) -> add(document, key));
        }
    }

    @Override
    protected Object addDocumentInternal(Document document) {
        Object key = super.addDocumentInternal(document);
        add(document, key);
        written.run();
        return key;
    }

    @Override
    protected void removeDocument(Object key) {
        Document document = getDocument(key);
        super.removeDocument(key);
        if (document != null) {
            remove(document, key);
        }
        written.run();
    }

    @Override
    protected void handleUpdate(Object key, Document oldDocument, Document newDocument) {
        super.handleUpdate(key, oldDocument, newDocument);
        remove(oldDocument, key);
        add(newDocument, key);
        written.run();
    }

    @Override
    protected QueryResult matchDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                         Document projection) {
        Candidates candidates = candidates(query);
        if (candidates == null) {
            return super.matchDocuments(query, orderBy, skip, limit, batchSize, projection);
        }
        Iterable<Object> keys = candidates.keys();
        if (limit > 0 && byIdOnly(orderBy)) {
            NavigableSet<Object> ordered = candidates.keys();
            keys = firstMatching(((Number) orderBy.get(ID)).intValue() < 0 ? ordered.descendingSet() : ordered,
                    query, skip + limit);
        }
        return matchDocuments(query, keys, orderBy, skip, limit, batchSize, projection);
    }

    /** The first {@code count} keys in {@code keys}' order whose documents match. */
    private List<Object> firstMatching(NavigableSet<Object> keys, Document query, int count) {
        List<Object> found = new ArrayList<>(count);
        for (Iterator<Object> it = keys.iterator(); it.hasNext() && found.size() < count; ) {
            Object key = it.next();
            Document document = getDocument(key);
            if (document != null && documentMatchesQuery(document, query)) {
                found.add(key);
            }
        }
        return found;
    }

    /**
     * Keys of the only documents that can match, in key order; null when no condition narrows them (a full scan).
     */
    Candidates candidates(Document query) {
        List<Document> conditions = new ArrayList<>();
        conjuncts(query, conditions);
        Candidates best = null;
        for (Document condition : conditions) {
            Object id = condition.get(ID);
            if (ID.equals(options.getIdField()) && (id instanceof ObjectId || id instanceof String)) {
                NavigableSet<Object> one = new TreeSet<>(ValueComparator.asc());
                if (data.containsKey(id)) {
                    one.add(id);
                }
                return new Candidates(one, one.size());
            }
            for (String field : fields) {
                Candidates keys = lookup(field, condition.get(field));
                if (keys != null && (best == null || keys.size() < best.size())) {
                    best = keys;
                }
            }
        }
        return best;
    }

    /** The documents of a query's conjunction: itself and, recursively, the members of a top-level {@code $and}. */
    private static void conjuncts(Document query, List<Document> into) {
        into.add(query);
        if (query.get("$and") instanceof List<?> members) {
            for (Object member : members) {
                if (member instanceof Document document) {
                    conjuncts(document, into);
                }
            }
        }
    }

    /** Keys for an exact string value or {@code {$in: [strings]}} of an indexed field; null for anything else. */
    private Candidates lookup(String field, Object condition) {
        Map<String, Keys> values = index.get(field);
        if (condition instanceof String value) {
            Keys keys = values.get(value);
            return keys == null ? new Candidates(new TreeSet<>(ValueComparator.asc()), 0)
                    : new Candidates(keys.keys, keys.size.get());
        }
        if (condition instanceof Document operators && operators.size() == 1
                && operators.get("$in") instanceof Collection<?> in && in.stream().allMatch(String.class::isInstance)) {
            int total = 0;
            for (Object value : in) {
                Keys keys = values.get((String) value);
                total += keys == null ? 0 : keys.size.get();
            }
            if (total > data.size() / 2) {
                // most documents: merging their keys costs more than reading them all in key order
                return null;
            }
            NavigableSet<Object> union = new TreeSet<>(ValueComparator.asc());
            for (Object value : in) {
                Keys keys = values.get((String) value);
                if (keys != null) {
                    union.addAll(keys.keys);
                }
            }
            return new Candidates(union, union.size());
        }
        return null;
    }

    private static boolean byIdOnly(Document orderBy) {
        return orderBy != null && orderBy.size() == 1 && orderBy.get(ID) instanceof Number direction
                && Math.abs(direction.intValue()) == 1;
    }

    private void add(Document document, Object key) {
        for (String field : fields) {
            for (String value : values(document.get(field))) {
                Keys keys = index.get(field).computeIfAbsent(value, v -> new Keys());
                if (keys.keys.add(key)) {
                    keys.size.incrementAndGet();
                }
            }
        }
    }

    private void remove(Document document, Object key) {
        for (String field : fields) {
            for (String value : values(document.get(field))) {
                index.get(field).computeIfPresent(value, (v, keys) -> {
                    if (keys.keys.remove(key)) {
                        keys.size.decrementAndGet();
                    }
                    return keys.size.get() == 0 ? null : keys;
                });
            }
        }
    }

    /** The strings a field holds: its value, or the strings of its array (a query value matches an element). */
    private static List<String> values(Object value) {
        if (value instanceof String string) {
            return List.of(string);
        }
        if (value instanceof Collection<?> elements) {
            return elements.stream().filter(String.class::isInstance).map(String.class::cast).distinct().toList();
        }
        return List.of();
    }
}
