package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.conversions.Bson;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.setOnInsert;
import static com.mongodb.client.model.Updates.unset;

/**
 * Stored bytes per user against a quota ({@code USER_QUOTA}): videos, MP3s and uploads under way. The
 * count lives in the {@code quotas} collection, one document per user id ({@code _id} is the tokens'
 * {@code sub}, so a user needs no other record), and every change is one atomic update of it.
 *
 * <p>An upload {@link #reserve}s its declared size with a conditional {@code $inc} (used + size must stay
 * within the quota), so of two uploads that fit alone but not together the second is refused before it
 * stores a byte; one of unknown size {@link Reservation#grow}s its reservation as bytes arrive and is cut
 * when a step does not fit. When the upload is stored the reservation is {@link Reservation#commit}ted to
 * the bytes kept, on failure {@link Reservation#release}d. Every other change of stored bytes (an MP3
 * stored, a job deleted or expired) is bracketed the same way ({@link #begin}), because the jobs
 * collection and this count cannot change in one transaction.
 *
 * <p>The jobs collection stays the source of truth: {@link #reconcile} sets the count to the sum of the
 * user's jobs ({@link JobRepository#storedBytes}) whenever no change is open, conditional on the count's
 * version, so a count that drifted (a process died between the two writes) is put right by the sweeper.
 * Changes left open by a process that died are dropped after {@code staleOpen}.
 */
public final class StorageQuota {
    /** A quota value meaning no limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;
    private static final System.Logger LOG = System.getLogger(StorageQuota.class.getName());
    private static final String USED = "used_bytes";
    private static final String QUOTA = "quota_bytes";
    private static final String OPEN = "open_changes";
    private static final String VERSION = "version";
    private static final String CHANGED = "changed_at";
    private static final String RECONCILED = "reconciled_at";

    private final DocumentCollection quotas;
    private final JobRepository jobs;
    private final long defaultQuota;
    private final Duration staleOpen;

    /**
     * Opens the {@code quotas} collection.
     *
     * @param store     the metadata store
     * @param jobs         jobs collection (source of truth for reconciling) and clock
     * @param defaultQuota bytes per user unless set per user; admins are unlimited unless set
     * @param staleOpen    how long a change may stay open before it counts as left by a dead process
     */
    public StorageQuota(Mongo store, JobRepository jobs, long defaultQuota, Duration staleOpen) {
        this.quotas = store.collection("quotas");
        this.jobs = jobs;
        this.defaultQuota = defaultQuota;
        this.staleOpen = staleOpen;
    }

    /**
     * A user's storage use.
     *
     * @param used  bytes stored and reserved
     * @param quota the limit, {@link #UNLIMITED} for none
     */
    public record Usage(long used, long quota) {
        /**
         * Whether there is no limit.
         *
         * @return true when unlimited
         */
        public boolean unlimited() {
            return quota == UNLIMITED;
        }
    }

    /**
     * A user's use and quota.
     *
     * @param owner user id
     * @param admin whether the user is an administrator (unlimited unless a quota is set)
     * @return the usage
     */
    public Usage usage(String owner, boolean admin) {
        Optional<Document> doc = find(owner);
        return new Usage(doc.map(d -> number(d, USED)).orElse(0L), limit(doc.orElse(null), admin));
    }

    /**
     * Reserves room for an upload of {@code bytes}, atomically against concurrent uploads of the user.
     *
     * @param owner user id
     * @param admin whether the user is an administrator
     * @param bytes declared size (0 when unknown: the upload then {@link Reservation#grow}s)
     * @return the reservation; commit or release it
     * @throws QuotaExceededException (413) when it does not fit
     */
    public Reservation reserve(String owner, boolean admin, long bytes) {
        Document doc = find(owner).orElseGet(() -> create(owner));
        long limit = limit(doc, admin);
        if (!change(owner, limit, bytes, 1)) {
            throw exceeded(owner, limit, bytes);
        }
        return new Reservation(owner, limit, bytes);
    }

    /**
     * Opens an unchecked change of a user's stored bytes (an MP3 stored, a job deleted or expired): commit
     * it with the bytes added (negative for removed) once the jobs collection says so.
     *
     * @param owner user id
     * @return the open change
     */
    public Reservation begin(String owner) {
        find(owner).orElseGet(() -> create(owner));
        change(owner, UNLIMITED, 0, 1);
        return new Reservation(owner, UNLIMITED, 0);
    }

    /**
     * Sets a user's quota.
     *
     * @param owner user id
     * @param bytes the quota, {@link #UNLIMITED} for none, or null for the default
     */
    public void setQuota(String owner, Long bytes) {
        create(owner);
        quotas.updateOne(eq("_id", owner), bytes == null ? unset(QUOTA) : set(QUOTA, bytes));
    }

    /**
     * Sets a user's count to what the jobs collection says, unless a change is open (an upload under way)
     * and not stale, and only if the count did not change meanwhile.
     *
     * @param owner user id
     * @param force also when changes are open (at start of the single process that owns the store)
     * @return whether the count was set
     */
    public boolean reconcile(String owner, boolean force) {
        Optional<Document> doc = find(owner);
        if (doc.isEmpty()) {
            return false;
        }
        Instant now = jobs.now();
        Date changed = doc.get().getDate(CHANGED);
        boolean open = number(doc.get(), OPEN) > 0;
        if (open && !force && changed != null && changed.toInstant().isAfter(now.minus(staleOpen))) {
            // looked at: the next batch takes other users first (the version is not touched)
            quotas.updateOne(eq("_id", owner), set(RECONCILED, Date.from(now)));
            return false;
        }
        long stored = jobs.storedBytes(owner);
        long was = number(doc.get(), USED);
        boolean set = quotas.updateOne(and(eq("_id", owner), eq(VERSION, number(doc.get(), VERSION))),
                combine(set(USED, stored), set(OPEN, 0), set(RECONCILED, Date.from(now)), inc(VERSION, 1)))
                .getModifiedCount() > 0;
        if (set && was != stored) {
            LOG.log(System.Logger.Level.INFO, "storage count of user {0} corrected from {1} to {2} bytes",
                    owner, String.valueOf(was), String.valueOf(stored));
        }
        return set;
    }

    /**
     * Reconciles the users reconciled longest ago.
     *
     * @param limit at most this many users
     * @return how many counts were set
     */
    public int reconcileSome(int limit) {
        int count = 0;
        for (Document doc : quotas.find().sort(ascending(RECONCILED)).limit(limit).list()) {
            count += reconcile(doc.getString("_id"), false) ? 1 : 0;
        }
        return count;
    }

    /**
     * Reconciles every user, dropping open changes: for the start of a process that owns the store alone
     * (the embedded store), whose previous run's uploads all died with it.
     *
     * @return how many counts were set
     */
    public int reconcileAllAfterRestart() {
        int count = 0;
        for (Document doc : quotas.find().list()) {
            count += reconcile(doc.getString("_id"), true) ? 1 : 0;
        }
        return count;
    }

    private boolean change(String owner, long limit, long bytes, int open) {
        Bson which = limit == UNLIMITED || bytes <= 0 ? eq("_id", owner)
                : and(eq("_id", owner), lte(USED, limit - bytes));
        Bson update = combine(inc(USED, bytes), inc(OPEN, open), inc(VERSION, 1), set(CHANGED, Date.from(jobs.now())));
        return quotas.findOneAndUpdate(which, update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).isPresent();
    }

    private QuotaExceededException exceeded(String owner, long limit, long bytes) {
        long used = find(owner).map(d -> number(d, USED)).orElse(0L);
        return new QuotaExceededException(limit, used, bytes);
    }

    private long limit(Document doc, boolean admin) {
        if (doc != null && doc.get(QUOTA) != null) {
            return number(doc, QUOTA);
        }
        return admin ? UNLIMITED : defaultQuota;
    }

    private Optional<Document> find(String owner) {
        return quotas.find(eq("_id", owner)).first();
    }

    private Document create(String owner) {
        quotas.updateOne(eq("_id", owner),
                combine(setOnInsert(USED, 0L), setOnInsert(OPEN, 0), setOnInsert(VERSION, 0L)),
                new UpdateOptions().upsert(true));
        return find(owner).orElseThrow(() -> new IllegalStateException("quota record of " + owner + " vanished"));
    }

    private static long number(Document doc, String key) {
        Object value = doc.get(key);
        return value == null ? 0 : ((Number) value).longValue();
    }

    /**
     * Bytes held for one upload or change until it is committed or released. Not thread-safe: one
     * request uses it.
     */
    public final class Reservation implements AutoCloseable {
        private final String owner;
        private final long limit;
        private long reserved;
        private boolean open = true;

        private Reservation(String owner, long limit, long reserved) {
            this.owner = owner;
            this.limit = limit;
            this.reserved = reserved;
        }

        /**
         * Bytes held now.
         *
         * @return bytes
         */
        public long reserved() {
            return reserved;
        }

        /**
         * Holds {@code bytes} more, if they fit.
         *
         * @param bytes more bytes
         * @throws QuotaExceededException when they do not fit (the reservation stays as it was)
         */
        public void grow(long bytes) {
            if (!open) {
                throw new IllegalStateException("reservation already ended");
            }
            if (!change(owner, limit, bytes, 0)) {
                throw exceeded(owner, limit, bytes);
            }
            reserved += bytes;
        }

        /**
         * Ends the reservation with what is finally stored: the count moves by {@code stored - reserved()}.
         *
         * @param stored bytes kept (negative for an unchecked change that removed bytes)
         */
        public void commit(long stored) {
            if (!open) {
                return;
            }
            open = false;
            try {
                change(owner, UNLIMITED, stored - reserved, -1);
            } catch (RuntimeException e) {
                // the change stays open in the record: the sweeper reconciles the user once it is stale
                LOG.log(System.Logger.Level.WARNING, "cannot update the storage count of user {0}: {1}",
                        owner, e.getMessage());
            }
        }

        /** Ends the reservation with nothing stored. */
        public void release() {
            commit(0);
        }

        /** Releases the reservation unless it was committed. */
        @Override
        public void close() {
            release();
        }
    }
}
