package dev.mp3conv.server.storage;

import java.util.List;
import java.util.Optional;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.UpdateResult;
import com.mongodb.reactivestreams.client.FindPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * One metadata collection behind plain blocking calls: the repositories of {@code jobs}, {@code auth} and
 * {@code notify} use this, never the driver's reactive collection, and every call is awaited in one
 * place ({@link Await}: a timeout, and "cannot reach the store" as {@link StoreUnavailableException}).
 * Filters, updates and options are the driver's ordinary builders ({@code Filters}, {@code Updates}).
 */
public final class DocumentCollection {
    private final MongoCollection<Document> collection;

    DocumentCollection(MongoCollection<Document> collection) {
        this.collection = collection;
    }

    /**
     * Documents matching a filter, read when the query's {@link Query#list()} or {@link Query#first()} runs.
     *
     * @param filter the filter
     * @return the query, to narrow further
     */
    public Query find(Bson filter) {
        return new Query(collection.find(filter));
    }

    /**
     * Every document, read when the query runs.
     *
     * @return the query, to narrow further
     */
    public Query find() {
        return new Query(collection.find());
    }

    /**
     * Counts matching documents.
     *
     * @param filter the filter
     * @return how many
     */
    public long countDocuments(Bson filter) {
        return Await.first(collection.countDocuments(filter)).orElse(0L);
    }

    /**
     * Inserts a document.
     *
     * @param document the document
     */
    public void insertOne(Document document) {
        Await.done(collection.insertOne(document));
    }

    /**
     * Inserts documents.
     *
     * @param documents the documents
     */
    public void insertMany(List<Document> documents) {
        Await.done(collection.insertMany(documents));
    }

    /**
     * Updates the first matching document.
     *
     * @param filter the filter
     * @param update the update
     * @return what matched and changed
     */
    public UpdateResult updateOne(Bson filter, Bson update) {
        return Await.first(collection.updateOne(filter, update)).orElseThrow();
    }

    /**
     * Updates (or with {@code upsert}, inserts) the first matching document.
     *
     * @param filter  the filter
     * @param update  the update
     * @param options e.g. upsert
     * @return what matched and changed
     */
    public UpdateResult updateOne(Bson filter, Bson update, UpdateOptions options) {
        return Await.first(collection.updateOne(filter, update, options)).orElseThrow();
    }

    /**
     * Updates every matching document.
     *
     * @param filter the filter
     * @param update the update
     * @return what matched and changed
     */
    public UpdateResult updateMany(Bson filter, Bson update) {
        return Await.first(collection.updateMany(filter, update)).orElseThrow();
    }

    /**
     * Updates the first matching document and returns it.
     *
     * @param filter the filter
     * @param update the update
     * @return the document before the update, empty when none matched
     */
    public Optional<Document> findOneAndUpdate(Bson filter, Bson update) {
        return Await.first(collection.findOneAndUpdate(filter, update));
    }

    /**
     * Updates (or upserts) the first matching document and returns it.
     *
     * @param filter  the filter
     * @param update  the update
     * @param options e.g. which version to return
     * @return the document, empty when none matched
     */
    public Optional<Document> findOneAndUpdate(Bson filter, Bson update, FindOneAndUpdateOptions options) {
        return Await.first(collection.findOneAndUpdate(filter, update, options));
    }

    /**
     * Deletes the first matching document and returns it.
     *
     * @param filter the filter
     * @return the deleted document, empty when none matched
     */
    public Optional<Document> findOneAndDelete(Bson filter) {
        return Await.first(collection.findOneAndDelete(filter));
    }

    /**
     * Deletes the first matching document.
     *
     * @param filter the filter
     * @return how many were deleted
     */
    public DeleteResult deleteOne(Bson filter) {
        return Await.first(collection.deleteOne(filter)).orElseThrow();
    }

    /**
     * Deletes every matching document.
     *
     * @param filter the filter
     * @return how many were deleted
     */
    public DeleteResult deleteMany(Bson filter) {
        return Await.first(collection.deleteMany(filter)).orElseThrow();
    }

    /**
     * Creates an index if it is not there.
     *
     * @param keys the keys
     */
    public void createIndex(Bson keys) {
        Await.done(collection.createIndex(keys));
    }

    /**
     * Creates an index if it is not there.
     *
     * @param keys    the keys
     * @param options e.g. unique
     */
    public void createIndex(Bson keys, IndexOptions options) {
        Await.done(collection.createIndex(keys, options));
    }

    /** A find, narrowed step by step like the driver's, then read at once. */
    public static final class Query {
        private final FindPublisher<Document> find;

        private Query(FindPublisher<Document> find) {
            this.find = find;
        }

        /**
         * Orders the result.
         *
         * @param sort e.g. {@code Sorts.ascending("email")}
         * @return this query
         */
        public Query sort(Bson sort) {
            find.sort(sort);
            return this;
        }

        /**
         * Limits the result.
         *
         * @param limit at most this many documents
         * @return this query
         */
        public Query limit(int limit) {
            find.limit(limit);
            return this;
        }

        /**
         * Reads only some fields.
         *
         * @param projection e.g. {@code Projections.include("_id")}
         * @return this query
         */
        public Query projection(Bson projection) {
            find.projection(projection);
            return this;
        }

        /**
         * Reads every matching document.
         *
         * @return the documents, in order
         */
        public List<Document> list() {
            return Await.all(find);
        }

        /**
         * Reads the first matching document.
         *
         * @return it, if any
         */
        public Optional<Document> first() {
            return Await.first(find.first());
        }
    }
}
