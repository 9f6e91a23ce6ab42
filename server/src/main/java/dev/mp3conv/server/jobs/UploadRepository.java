package dev.mp3conv.server.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;
import static dev.mp3conv.server.jobs.JobDocuments.CREATED_AT;
import static dev.mp3conv.server.jobs.JobDocuments.LEASE_OWNER;
import static dev.mp3conv.server.jobs.JobDocuments.LEASE_UNTIL;
import static dev.mp3conv.server.jobs.JobDocuments.OWNER;
import static dev.mp3conv.server.jobs.JobDocuments.PROGRESS;
import static dev.mp3conv.server.jobs.JobDocuments.STATE;
import static dev.mp3conv.server.jobs.JobDocuments.STREAM;
import static dev.mp3conv.server.jobs.JobDocuments.UPDATED_AT;
import static dev.mp3conv.server.jobs.JobDocuments.VIDEO_FID;

/**
 * The resumable-upload (tus) side of the {@code jobs} collection: a job in state UPLOADING carries its
 * declared length, the committed offset, its expiry and, while a PATCH runs, a lock with a lease. Every
 * process reads and changes upload state only here, so any gateway replica can continue an upload after
 * another one (or a restart) and two PATCHes to one upload can never both write.
 */
public final class UploadRepository {
    private final DocumentCollection jobs;
    private final Clock clock;
    private final JobChanges changes;

    /**
     * Opens the collection (the indexes are {@link JobRepository}'s); changes are announced to no one.
     *
     * @param store the metadata store
     * @param clock    time source (tests move it)
     */
    public UploadRepository(Mongo store, Clock clock) {
        this(store, clock, new JobChanges());
    }

    /**
     * Opens the collection (the indexes are {@link JobRepository}'s).
     *
     * @param store the metadata store
     * @param clock    time source (tests move it)
     * @param changes  where the upload progress and the move to QUEUED are announced (event streams)
     */
    public UploadRepository(Mongo store, Clock clock, JobChanges changes) {
        this.jobs = store.collection("jobs");
        this.clock = clock;
        this.changes = changes;
    }

    /**
     * An upload as stored.
     *
     * @param job     the job (state UPLOADING until the last byte, then on through the usual states)
     * @param length  declared total length
     * @param offset  bytes committed, i.e. durably stored
     * @param expires when an unfinished upload is deleted
     */
    public record Upload(Job job, long length, long offset, Instant expires) {
        /**
         * Whether every byte arrived.
         *
         * @return true once the offset reached the length
         */
        public boolean finished() {
            return job.state() != JobState.UPLOADING;
        }
    }

    /**
     * The current time of this repository's clock.
     *
     * @return now
     */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Stores a new UPLOADING job.
     *
     * @param job     the job, state UPLOADING
     * @param length  declared total length
     * @param expires when it is deleted unless finished
     */
    public void insert(Job job, long length, Instant expires) {
        jobs.insertOne(JobDocuments.toDocument(job)
                .append("upload_length", length)
                .append("upload_offset", 0L)
                .append("upload_expires", JobRepository.date(expires)));
    }

    /**
     * Stores a new UPLOADING job for a multipart upload whose file part converts while it arrives (issue 24): held
     * by the request that receives it as a PATCH holds a tus upload ({@code token}, renewed through {@link #renew}),
     * and expired as soon as that hold lapses (the gateway died mid-body), so {@link UploadExpiry} deletes it. It
     * has no {@code upload_length}: a multipart upload is no tus upload, and cannot be resumed.
     *
     * @param job   the job, state UPLOADING, size 0 (known when the part ends)
     * @param token the receiving request's lock token
     * @param lease how long the hold lasts unless renewed
     */
    public void insertReceiving(Job job, String token, Duration lease) {
        Instant now = now();
        jobs.insertOne(JobDocuments.toDocument(job)
                .append("upload_offset", 0L)
                .append("upload_expires", JobRepository.date(now))
                .append("upload_lock", token)
                .append("upload_lock_until", JobRepository.date(now.plus(lease))));
    }

    /**
     * Looks an upload up for its owner: another user's upload, a job that was not a resumable upload and
     * a malformed id are all simply unknown.
     *
     * @param id    job id
     * @param owner user id
     * @return the upload
     */
    public Optional<Upload> findOwned(String id, String owner) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return jobs.find(and(byId(id), eq(OWNER, owner), exists("upload_length"))).first()
                .map(UploadRepository::toUpload);
    }

    /**
     * Takes the upload's write lock for one PATCH: exactly one caller wins while the lease lasts.
     *
     * @param id    job id
     * @param owner user id
     * @param token the caller's unique lock token
     * @param lease how long the lock lasts unless renewed
     * @return the upload, empty when it is unknown, finished, or locked by a live PATCH
     */
    public Optional<Upload> lock(String id, String owner, String token, Duration lease) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        Instant now = now();
        Bson free = or(eq("upload_lock", null), lt("upload_lock_until", JobRepository.date(now)));
        return jobs.findOneAndUpdate(
                        and(byId(id), eq(OWNER, owner), eq(STATE, JobState.UPLOADING.name()), free),
                        combine(set("upload_lock", token), set("upload_lock_until", JobRepository.date(now.plus(lease)))),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
                .map(UploadRepository::toUpload);
    }

    /**
     * Extends a lock and records progress while a PATCH is still receiving.
     *
     * @param id       job id
     * @param token    lock token
     * @param lease    new lease from now
     * @param progress bytes received / total
     * @return false when the lock is no longer held (the PATCH must stop writing)
     */
    public boolean renew(String id, String token, Duration lease, double progress) {
        Instant now = now();
        return announced(id, modified(held(id, token), combine(set("upload_lock_until", JobRepository.date(now.plus(lease))),
                set(PROGRESS, progress), set(UPDATED_AT, JobRepository.date(now)))));
    }

    /**
     * Records the durable offset after a PATCH and releases its lock; the expiry moves on from now.
     *
     * @param id      job id
     * @param token   lock token
     * @param offset  new committed offset
     * @param length  declared length (for the progress)
     * @param expires new expiry
     * @return false when the lock was lost or the upload deleted meanwhile
     */
    public boolean commit(String id, String token, long offset, long length, Instant expires) {
        return announced(id, modified(held(id, token), combine(set("upload_offset", offset),
                set(PROGRESS, length == 0 ? 1.0 : (double) offset / length),
                set("upload_expires", JobRepository.date(expires)),
                unset("upload_lock"), unset("upload_lock_until"), set(UPDATED_AT, JobRepository.date(now())))));
    }

    /**
     * Releases a lock without changing the offset (a PATCH that stored nothing it could keep).
     *
     * @param id    job id
     * @param token lock token
     */
    public void unlock(String id, String token) {
        jobs.updateOne(held(id, token), combine(unset("upload_lock"), unset("upload_lock_until")));
    }

    /**
     * Releases every upload lock: for a process that owns the store alone (the embedded store) at start,
     * when the locks can only be leftovers of PATCHes its previous run was serving when it died.
     *
     * @return number of locks released
     */
    public long unlockAll() {
        return jobs.updateMany(and(eq(STATE, JobState.UPLOADING.name()), exists("upload_lock")),
                combine(unset("upload_lock"), unset("upload_lock_until"))).getModifiedCount();
    }

    /**
     * UPLOADING → QUEUED once every byte is stored: exactly one caller (the lock holder) wins, so the job is
     * queued once; UPLOADING → CONVERTING instead when a converter holds a live streaming claim on it
     * ({@link StreamClaims}), which then completes it. {@code created_at} becomes now: the API's creation time is when the upload finished.
     *
     * @param id       job id
     * @param token    lock token
     * @param videoFid the completed blob
     * @param length   its length
     * @param sha256   hex SHA-256 of the bytes
     * @return the QUEUED (or CONVERTING) job, empty when the lock was lost or the upload deleted
     */
    public Optional<Job> finish(String id, String token, String videoFid, long length, String sha256) {
        return finish(id, token, videoFid, length, sha256, List.of(), null);
    }

    /**
     * {@link #finish} for a multipart upload, whose form fields after the file part are known only now: the job
     * takes the options and retention they ask. When they changed the options a streaming conversion started
     * with, the converter's claim is taken back and the job QUEUED to convert after the upload, for
     * {@code takeBack}.
     *
     * @param id       job id
     * @param token    the receiving request's lock token
     * @param videoFid the completed blob
     * @param length   its length
     * @param sha256   hex SHA-256 of the bytes
     * @param asked    the job with the options and retention of every form field
     * @param takeBack why a streaming conversion may not go on, or null when it may
     * @return the QUEUED (or CONVERTING) job, empty when the hold was lost or the job deleted
     */
    public Optional<Job> finishReceived(String id, String token, String videoFid, long length, String sha256, Job asked,
                                        String takeBack) {
        Document options = new Document(new java.util.LinkedHashMap<>(asked.audioOptions()));
        List<Bson> fields = List.of(set(JobDocuments.BITRATE, asked.bitrate()), set("quality", asked.quality()),
                set(JobDocuments.OPTIONS, options),
                set(JobDocuments.KEEP_MS, asked.keep() == null ? null : asked.keep().toMillis()));
        return finish(id, token, videoFid, length, sha256, fields, takeBack);
    }

    private Optional<Job> finish(String id, String token, String videoFid, long length, String sha256,
                                 List<Bson> fields, String takeBack) {
        Instant now = now();
        List<Bson> done = new java.util.ArrayList<>(List.of(set(VIDEO_FID, videoFid), set("size", length),
                set("sha256", sha256), set("upload_offset", length), set(PROGRESS, 0.0),
                unset("upload_expires"), unset("upload_lock"), unset("upload_lock_until"),
                set(CREATED_AT, JobRepository.date(now)), set(UPDATED_AT, JobRepository.date(now))));
        done.addAll(fields);
        Optional<Job> finished = Optional.empty();
        if (takeBack == null) {
            // a converter reading the upload as it arrives (StreamClaims) keeps the job: CONVERTING under its lease
            Bson streamed = and(held(id, token), exists(LEASE_OWNER), gt(LEASE_UNTIL, JobRepository.date(now)));
            finished = finishWhere(streamed, done, set(STATE, JobState.CONVERTING.name()));
        }
        if (finished.isEmpty()) {
            // chosen for streaming but no converter follows it now (none came, or its claim ran out): as any upload
            finished = finishWhere(and(held(id, token), eq(STREAM + ".mode", JobStreaming.STREAMING)), done,
                    set(STATE, JobState.QUEUED.name()), unset(LEASE_OWNER), unset(LEASE_UNTIL),
                    unset(STREAM + ".progress"), set(STREAM + ".mode", JobStreaming.AFTER_UPLOAD),
                    set(STREAM + ".reason", takeBack != null ? takeBack
                            : "no converter was reading the upload when its last byte arrived"));
        }
        if (finished.isEmpty()) {
            finished = finishWhere(held(id, token), done, set(STATE, JobState.QUEUED.name()),
                    unset(LEASE_OWNER), unset(LEASE_UNTIL));
        }
        finished.ifPresent(job -> changes.changed(job.id()));
        return finished;
    }

    private Optional<Job> finishWhere(Bson filter, List<Bson> done, Bson... state) {
        List<Bson> update = new java.util.ArrayList<>(done);
        update.addAll(List.of(state));
        return jobs.findOneAndUpdate(filter, combine(update),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).map(JobDocuments::toJob);
    }

    /**
     * Deletes an unfinished upload's record (termination); a running PATCH then fails its commit.
     *
     * @param id    job id
     * @param owner user id
     * @return whether an UPLOADING job was deleted
     */
    public boolean delete(String id, String owner) {
        return announced(id, ObjectId.isValid(id)
                && jobs.deleteOne(and(byId(id), eq(OWNER, owner), eq(STATE, JobState.UPLOADING.name())))
                        .getDeletedCount() > 0);
    }

    /**
     * Unfinished uploads past their expiry and not held by a live PATCH.
     *
     * @param now   the time
     * @param limit at most this many
     * @return the uploads
     */
    public List<Upload> expired(Instant now, int limit) {
        return jobs.find(expiredAt(now)).limit(limit).list().stream().map(UploadRepository::toUpload).toList();
    }

    /**
     * Deletes an expired upload's record, unless a PATCH took it meanwhile.
     *
     * @param id  job id
     * @param now the time
     * @return whether it was deleted
     */
    public boolean deleteExpired(String id, Instant now) {
        return jobs.deleteOne(and(byId(id), expiredAt(now))).getDeletedCount() > 0;
    }

    private static Bson expiredAt(Instant now) {
        return and(eq(STATE, JobState.UPLOADING.name()), lt("upload_expires", JobRepository.date(now)),
                or(eq("upload_lock", null), lt("upload_lock_until", JobRepository.date(now))));
    }

    private boolean modified(Bson filter, Bson update) {
        return jobs.updateOne(filter, update).getModifiedCount() > 0;
    }

    private static Bson held(String id, String token) {
        return and(byId(id), eq(STATE, JobState.UPLOADING.name()), eq("upload_lock", token));
    }

    private static Bson byId(String id) {
        return eq("_id", new ObjectId(id));
    }

    private static Upload toUpload(Document doc) {
        Date expires = doc.getDate("upload_expires");
        Job job = JobDocuments.toJob(doc);
        // a multipart upload held by its request (insertReceiving) has no declared length: its expected size
        Object length = doc.get("upload_length");
        return new Upload(job, length == null ? job.size() : ((Number) length).longValue(),
                ((Number) doc.get("upload_offset")).longValue(), expires == null ? null : expires.toInstant());
    }

    private boolean announced(String id, boolean changed) {
        if (changed) {
            changes.changed(id);
        }
        return changed;
    }
}
