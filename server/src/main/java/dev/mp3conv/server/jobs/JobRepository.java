package dev.mp3conv.server.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.storage.Await;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Sorts.descending;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;

/**
 * The {@code jobs} collection. Every state change is one atomic conditional update, so two workers
 * or a redelivered message can never both win; nothing here relies on a secondary index being
 * enforced (the indexes declared are for speed on a real MongoDB).
 */
public final class JobRepository {
    private final MongoCollection<Document> jobs;
    private final Clock clock;
    private final Retention retention;
    private final JobChanges changes;

    /**
     * Opens the collection with the default retention; changes are announced to no one else.
     *
     * @param database metadata database
     * @param clock    time source (tests move it)
     */
    public JobRepository(MongoDatabase database, Clock clock) {
        this(database, clock, Retention.DEFAULTS, new JobChanges());
    }

    /**
     * Opens the collection with the default retention.
     *
     * @param database metadata database
     * @param clock    time source (tests move it)
     * @param changes  where each change of a job's state or progress made through this repository is announced
     */
    public JobRepository(MongoDatabase database, Clock clock, JobChanges changes) {
        this(database, clock, Retention.DEFAULTS, changes);
    }

    /**
     * Opens the collection; changes are announced to no one else.
     *
     * @param database  metadata database
     * @param clock     time source (tests move it)
     * @param retention how long finished jobs keep their files: a job that ends gets its expiry times
     */
    public JobRepository(MongoDatabase database, Clock clock, Retention retention) {
        this(database, clock, retention, new JobChanges());
    }

    /**
     * Opens the collection and declares its indexes.
     *
     * @param database  metadata database
     * @param clock     time source (tests move it)
     * @param retention how long finished jobs keep their files: a job that ends gets its expiry times
     * @param changes   where each change of a job's state or progress made through this repository is announced
     */
    public JobRepository(MongoDatabase database, Clock clock, Retention retention, JobChanges changes) {
        this.jobs = database.getCollection("jobs");
        this.clock = clock;
        this.retention = retention;
        this.changes = changes;
        Await.done(jobs.createIndex(Indexes.compoundIndex(Indexes.ascending("owner"), Indexes.descending("_id"))));
        Await.done(jobs.createIndex(Indexes.ascending("state", "lease_until")));
        Await.done(jobs.createIndex(Indexes.ascending(JobDocuments.VIDEO_EXPIRES_AT)));
        Await.done(jobs.createIndex(Indexes.ascending(JobDocuments.EXPIRES_AT)));
    }

    /**
     * The retention this repository stamps on jobs that end.
     *
     * @return retention
     */
    public Retention retention() {
        return retention;
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
     * Where this repository announces job changes (followers watch it).
     *
     * @return the announcements
     */
    public JobChanges changes() {
        return changes;
    }

    /**
     * Stores a new job.
     *
     * @param job the job
     */
    public void insert(Job job) {
        Await.done(jobs.insertOne(JobDocuments.toDocument(job)));
        changes.changed(job.id());
    }

    /**
     * Looks a job up by id.
     *
     * @param id job id; a malformed id is simply unknown
     * @return the job
     */
    public Optional<Job> find(String id) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return Await.first(jobs.find(byId(id)).first()).map(JobDocuments::toJob);
    }

    /**
     * Looks a job up for its owner: another user's job is as unknown as a missing one.
     *
     * @param id    job id
     * @param owner user id
     * @return the job
     */
    public Optional<Job> findOwned(String id, String owner) {
        return find(id).filter(job -> job.owner().equals(owner));
    }

    /**
     * Finds the job whose MP3 blob has this id (the seed's {@code /download?fid=}).
     *
     * @param mp3Fid MP3 blob id
     * @param owner  user id
     * @return the job
     */
    public Optional<Job> findByMp3(String mp3Fid, String owner) {
        return Await.first(jobs.find(and(eq("mp3_fid", mp3Fid), eq("owner", owner))).first()).map(JobDocuments::toJob);
    }

    /**
     * One page of a user's jobs, newest first.
     *
     * @param owner  user id
     * @param before cursor: only jobs with a smaller id; null for the first page
     * @param limit  page size
     * @return up to {@code limit} jobs
     */
    public List<Job> list(String owner, String before, int limit) {
        // expired jobs are tombstones: they answer 410 by id but are no longer listed
        Bson mine = and(eq("owner", owner), eq(JobDocuments.EXPIRED_AT, null));
        Bson filter = before == null || !ObjectId.isValid(before)
                ? mine
                : and(mine, lt("_id", new ObjectId(before)));
        List<Job> page = new ArrayList<>();
        for (Document doc : Await.all(jobs.find(filter).sort(descending("_id")).limit(limit))) {
            page.add(JobDocuments.toJob(doc));
        }
        return page;
    }

    /**
     * Deletes a job record.
     *
     * @param id job id
     * @return whether it existed
     */
    public boolean delete(String id) {
        return announced(id, ObjectId.isValid(id)
                && Await.first(jobs.deleteOne(byId(id))).map(r -> r.getDeletedCount() > 0).orElse(false));
    }

    /**
     * Deletes a job record and returns it, so the caller knows which blobs and bytes it held; of two
     * callers only one gets it.
     *
     * @param id job id
     * @return the deleted job, empty if there was none
     */
    public Optional<Job> deleteReturning(String id) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return Await.first(jobs.findOneAndDelete(byId(id))).map(JobDocuments::toJob);
    }

    /**
     * Records that the queue confirmed the job's {@code video} message.
     *
     * @param id job id
     */
    public void markVideoPublished(String id) {
        Await.done(jobs.updateOne(byId(id), set("video_published_at", date(now()))));
    }

    /**
     * Records that the queue confirmed the job's {@code mp3} message.
     *
     * @param id job id
     */
    public void markMp3Published(String id) {
        Await.done(jobs.updateOne(byId(id), set("mp3_published_at", date(now()))));
    }

    /**
     * Claims a job for conversion: QUEUED, or CONVERTING with an expired lease, becomes CONVERTING
     * for {@code worker} until {@code now + lease}, and the attempt count goes up. Exactly one
     * caller wins.
     *
     * @param id     job id
     * @param worker claiming worker's id
     * @param lease  how long the claim lasts unless renewed
     * @return the claimed job, empty if it is DONE, FAILED, deleted or held by a live lease
     */
    public Optional<Job> claim(String id, String worker, Duration lease) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        Instant now = now();
        Bson claimable = or(eq("state", JobState.QUEUED.name()),
                and(eq("state", JobState.CONVERTING.name()), lt("lease_until", date(now))));
        Bson update = combine(set("state", JobState.CONVERTING.name()),
                set("lease_owner", worker),
                set("lease_until", date(now.plus(lease))),
                set("progress", 0.0),
                inc("attempts", 1),
                set("updated_at", date(now)));
        return Await.first(jobs.findOneAndUpdate(and(byId(id), claimable), update,
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .map(JobDocuments::toJob).map(this::announced);
    }

    /**
     * How many of a user's jobs hold a live lease (are being converted by a live worker), leaving one out.
     *
     * @param owner  user id
     * @param except a job not to count (the one about to be claimed)
     * @return the number of jobs
     */
    public long liveLeases(String owner, String except) {
        // an UPLOADING job holds a lease while a converter reads it as it arrives (StreamClaims)
        Bson live = and(eq("owner", owner), in("state", JobState.CONVERTING.name(), JobState.UPLOADING.name()),
                gt("lease_until", date(now())));
        return Await.first(jobs.countDocuments(ObjectId.isValid(except) ? and(live, ne("_id", new ObjectId(except))) : live))
                .orElse(0L);
    }

    /**
     * Undoes a claim that must wait (its owner has enough jobs converting): CONVERTING → QUEUED, and the
     * attempt it counted is taken back.
     *
     * @param id     job id
     * @param worker worker holding the lease
     * @return whether the claim was undone
     */
    public boolean unclaim(String id, String worker) {
        return modified(held(id, worker), combine(set("state", JobState.QUEUED.name()), unset("lease_until"),
                unset("lease_owner"), set("progress", 0.0), inc("attempts", -1),
                set("updated_at", date(now()))));
    }

    /**
     * Extends a worker's lease and records progress.
     *
     * @param id       job id
     * @param worker   worker holding the lease
     * @param lease    new lease length from now
     * @param progress progress 0..1
     * @return false when the worker no longer holds the lease (it must stop)
     */
    public boolean renew(String id, String worker, Duration lease, double progress) {
        Instant now = now();
        return announced(id, modified(held(id, worker), combine(set("lease_until", date(now.plus(lease))),
                set("progress", progress), set("updated_at", date(now)))));
    }

    /**
     * Records the probed source duration.
     *
     * @param id              job id
     * @param worker          worker holding the lease
     * @param durationSeconds duration in seconds
     * @return false when the worker no longer holds the lease
     */
    public boolean recordDuration(String id, String worker, double durationSeconds) {
        return modified(held(id, worker), combine(set("duration_seconds", durationSeconds),
                set("updated_at", date(now()))));
    }

    /**
     * CONVERTING → DONE, only for the worker holding the lease.
     *
     * @param id      job id
     * @param worker  worker holding the lease
     * @param mp3Fid  MP3 blob id
     * @param mp3Size MP3 size
     * @param mp3Sha256 hex SHA-256 of the MP3
     * @param bitrate bitrate written, e.g. {@code 192k}, or null for VBR
     * @return the DONE job, empty when the worker lost the lease (it must delete its MP3 blob)
     */
    public Optional<Job> complete(String id, String worker, String mp3Fid, long mp3Size, String mp3Sha256,
                                  String bitrate) {
        Instant now = now();
        List<Bson> updates = new ArrayList<>(List.of(set("state", JobState.DONE.name()),
                set("mp3_fid", mp3Fid),
                set("mp3_size", mp3Size),
                set("mp3_sha256", mp3Sha256),
                set("progress", 1.0),
                unset("lease_until"),
                unset("lease_owner"),
                set("updated_at", date(now))));
        updates.addAll(expiry(id, now));
        if (bitrate != null) {
            updates.add(set("bitrate", bitrate));
        }
        Bson update = combine(updates);
        return Await.first(jobs.findOneAndUpdate(held(id, worker), update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(JobDocuments::toJob)
                .map(this::announced);
    }

    /**
     * → FAILED with a reason. With a worker, only while it holds the lease; without, from any
     * non-terminal state.
     *
     * @param id     job id
     * @param worker worker holding the lease, or null
     * @param error  the reason
     * @return the FAILED job, empty when the condition did not hold
     */
    public Optional<Job> fail(String id, String worker, JobError error) {
        Bson condition = worker == null
                ? and(byId(id), in("state", JobState.QUEUED.name(), JobState.CONVERTING.name()))
                : held(id, worker);
        Instant now = now();
        List<Bson> updates = new ArrayList<>(List.of(set("state", JobState.FAILED.name()),
                set("error", JobDocuments.error(error)),
                unset("lease_until"),
                unset("lease_owner"),
                set("updated_at", date(now))));
        updates.addAll(expiry(id, now));
        Bson update = combine(updates);
        return Await.first(jobs.findOneAndUpdate(condition, update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(JobDocuments::toJob)
                .map(this::announced);
    }

    /**
     * CONVERTING → QUEUED for a worker that stops before finishing (shutdown), so another worker
     * can take the job at once instead of waiting for the lease to run out.
     *
     * @param id     job id
     * @param worker worker holding the lease
     * @return whether the job was released
     */
    public boolean release(String id, String worker) {
        return announced(id, modified(held(id, worker), combine(set("state", JobState.QUEUED.name()),
                unset("lease_until"), unset("lease_owner"), set("progress", 0.0),
                unset("video_published_at"), set("updated_at", date(now())))));
    }

    /**
     * Claims the notification of a finished job: sets {@code notified_at} if it is not set yet.
     * Exactly one caller wins, so a redelivered message cannot notify twice.
     *
     * @param id      job id
     * @param channel how the owner is notified ({@code email}, {@code log})
     * @return the job if this caller won the claim
     */
    public Optional<Job> claimNotification(String id, String channel) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        Instant now = now();
        Bson condition = and(byId(id), in("state", JobState.DONE.name(), JobState.FAILED.name()),
                eq("notified_at", null));
        return Await.first(jobs.findOneAndUpdate(condition,
                        combine(set("notified_at", date(now)), set("notify_channel", channel)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .map(JobDocuments::toJob);
    }

    /**
     * Gives a notification claim back after a transient failure, so a retry can claim it again.
     *
     * @param id job id
     */
    public void releaseNotification(String id) {
        Await.done(jobs.updateOne(byId(id), combine(unset("notified_at"), unset("notify_channel"))));
    }

    /**
     * Records why a notification failed for good (the claim stays, so it is not retried).
     *
     * @param id    job id
     * @param error the reason
     */
    public void recordNotifyError(String id, JobError error) {
        Await.done(jobs.updateOne(byId(id),
                set("notify_error", new Document("code", error.code()).append("message", error.message()))));
    }

    /**
     * QUEUED jobs whose {@code video} message was never confirmed and that are older than {@code before}.
     *
     * @param before only jobs last updated before this
     * @param limit  at most this many
     * @return the jobs
     */
    public List<Job> queuedUnpublished(Instant before, int limit) {
        return query(and(eq("state", JobState.QUEUED.name()), eq("video_published_at", null),
                lt("updated_at", date(before))), limit);
    }

    /**
     * QUEUED jobs whose {@code video} message was confirmed before {@code publishedBefore} and never
     * taken: the message was lost after its confirm (dead-lettered while the store was down, a queue
     * purged by an operator).
     *
     * @param publishedBefore only jobs whose last publish is older than this
     * @param limit           at most this many
     * @return the jobs
     */
    public List<Job> queuedStale(Instant publishedBefore, int limit) {
        return query(and(eq("state", JobState.QUEUED.name()), lt("video_published_at", date(publishedBefore))), limit);
    }

    /**
     * Finished jobs nobody notified although their {@code mp3} message was confirmed before
     * {@code publishedBefore}, and whose notification did not fail for good.
     *
     * @param publishedBefore only jobs whose last publish is older than this
     * @param limit           at most this many
     * @return the jobs
     */
    public List<Job> unnotifiedStale(Instant publishedBefore, int limit) {
        return query(and(in("state", JobState.DONE.name(), JobState.FAILED.name()), eq("notified_at", null),
                eq("notify_error", null), lt("mp3_published_at", date(publishedBefore))), limit);
    }

    /**
     * All QUEUED jobs (the in-process queue loses its messages on restart).
     *
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> queued(int limit) {
        return query(eq("state", JobState.QUEUED.name()), limit);
    }

    /**
     * All CONVERTING jobs.
     *
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> converting(int limit) {
        return query(eq("state", JobState.CONVERTING.name()), limit);
    }

    /**
     * CONVERTING jobs whose lease ran out before {@code now}.
     *
     * @param now   the time
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> expiredLeases(Instant now, int limit) {
        return query(and(eq("state", JobState.CONVERTING.name()), lt("lease_until", date(now))), limit);
    }

    /**
     * Finished jobs nobody has notified, whose {@code mp3} message was not confirmed before {@code before}
     * (or at all when {@code includePublished}).
     *
     * @param before           only jobs last updated before this
     * @param includePublished also jobs whose message was confirmed (the in-process queue lost it)
     * @param limit            at most this many
     * @return the jobs
     */
    public List<Job> unnotified(Instant before, boolean includePublished, int limit) {
        Bson filter = and(in("state", JobState.DONE.name(), JobState.FAILED.name()), eq("notified_at", null),
                lt("updated_at", date(before)));
        return query(includePublished ? filter : and(filter, eq("mp3_published_at", null)), limit);
    }

    /**
     * The expiry times of a job that ends now. The owner's {@code keep} is read first: it is set when the
     * job is created and never changes, so reading it apart from the update cannot race.
     */
    private List<Bson> expiry(String id, Instant now) {
        Duration keep = find(id).map(Job::keep).orElse(null);
        return List.of(set(JobDocuments.VIDEO_EXPIRES_AT, date(now.plus(retention.videosFor(keep)))),
                set(JobDocuments.EXPIRES_AT, date(now.plus(retention.mp3sFor(keep)))));
    }

    /**
     * Finished jobs whose video is due for deletion and still there.
     *
     * @param now   the time
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> videosDue(Instant now, int limit) {
        return query(and(lt(JobDocuments.VIDEO_EXPIRES_AT, date(now)), eq(JobDocuments.VIDEO_DELETED_AT, null),
                eq(JobDocuments.EXPIRED_AT, null)), limit);
    }

    /**
     * Claims the deletion of a job's video: exactly one caller (of any process) wins, and only while the
     * video is due and not deleted yet. The winner deletes the blob; the record says it is gone from now on.
     *
     * @param id  job id
     * @param now the time
     * @return the job as it was before the claim, if this caller won
     */
    public Optional<Job> claimVideoDeletion(String id, Instant now) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return Await.first(jobs.findOneAndUpdate(and(byId(id), lte(JobDocuments.VIDEO_EXPIRES_AT, date(now)),
                        eq(JobDocuments.VIDEO_DELETED_AT, null), eq(JobDocuments.EXPIRED_AT, null)),
                        set(JobDocuments.VIDEO_DELETED_AT, date(now))))
                .map(JobDocuments::toJob);
    }

    /**
     * Finished jobs whose MP3 is due to expire.
     *
     * @param now   the time
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> expiryDue(Instant now, int limit) {
        return query(and(lt(JobDocuments.EXPIRES_AT, date(now)), eq(JobDocuments.EXPIRED_AT, null)), limit);
    }

    /**
     * Claims the expiry of a job: exactly one caller wins; the record stays as a tombstone (410 Gone)
     * and the winner deletes its blobs.
     *
     * @param id  job id
     * @param now the time
     * @return the job as it was before the claim, if this caller won
     */
    public Optional<Job> claimExpiry(String id, Instant now) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return Await.first(jobs.findOneAndUpdate(and(byId(id), lte(JobDocuments.EXPIRES_AT, date(now)),
                        eq(JobDocuments.EXPIRED_AT, null)),
                        combine(set(JobDocuments.EXPIRED_AT, date(now)), set(JobDocuments.VIDEO_DELETED_AT, date(now)))))
                .map(JobDocuments::toJob);
    }

    /**
     * Deletes tombstones of jobs that expired before {@code before}.
     *
     * @param before expired before this
     * @param limit  at most this many
     * @return number deleted
     */
    public int deleteTombstones(Instant before, int limit) {
        List<ObjectId> ids = Await.all(jobs.find(lt(JobDocuments.EXPIRED_AT, date(before)))
                .projection(new Document("_id", 1)).limit(limit)).stream().map(d -> d.getObjectId("_id")).toList();
        if (ids.isEmpty()) {
            return 0;
        }
        return Await.first(jobs.deleteMany(and(in("_id", ids), lt(JobDocuments.EXPIRED_AT, date(before)))))
                .map(r -> (int) r.getDeletedCount()).orElse(0);
    }

    /**
     * Bytes a user's jobs hold in the blob store ({@link Job#storedBytes}), summed from the records: what
     * the storage quota's running count must equal when no upload is under way.
     *
     * @param owner user id
     * @return bytes
     */
    public long storedBytes(String owner) {
        return Await.all(jobs.find(and(eq("owner", owner), eq(JobDocuments.EXPIRED_AT, null)))).stream()
                .map(JobDocuments::toJob).mapToLong(Job::storedBytes).sum();
    }

    private List<Job> query(Bson filter, int limit) {
        return Await.all(jobs.find(filter).limit(limit)).stream().map(JobDocuments::toJob).toList();
    }

    private Job announced(Job job) {
        changes.changed(job.id());
        return job;
    }

    private boolean announced(String id, boolean changed) {
        if (changed) {
            changes.changed(id);
        }
        return changed;
    }

    private boolean modified(Bson filter, Bson update) {
        return Await.first(jobs.updateOne(filter, update)).map(r -> r.getModifiedCount() > 0).orElse(false);
    }

    private static Bson held(String id, String worker) {
        return and(byId(id), eq("state", JobState.CONVERTING.name()), eq("lease_owner", worker));
    }

    private static Bson byId(String id) {
        return eq("_id", new ObjectId(id));
    }

    static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }
}
