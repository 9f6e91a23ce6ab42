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
import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
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
import static dev.mp3conv.server.jobs.JobDocuments.ATTEMPTS;
import static dev.mp3conv.server.jobs.JobDocuments.BITRATE;
import static dev.mp3conv.server.jobs.JobDocuments.DURATION_SECONDS;
import static dev.mp3conv.server.jobs.JobDocuments.ERROR;
import static dev.mp3conv.server.jobs.JobDocuments.LEASE_OWNER;
import static dev.mp3conv.server.jobs.JobDocuments.LEASE_UNTIL;
import static dev.mp3conv.server.jobs.JobDocuments.MP3_FID;
import static dev.mp3conv.server.jobs.JobDocuments.MP3_PUBLISHED_AT;
import static dev.mp3conv.server.jobs.JobDocuments.MP3_SHA256;
import static dev.mp3conv.server.jobs.JobDocuments.MP3_SIZE;
import static dev.mp3conv.server.jobs.JobDocuments.NOTIFIED_AT;
import static dev.mp3conv.server.jobs.JobDocuments.NOTIFY_CHANNEL;
import static dev.mp3conv.server.jobs.JobDocuments.NOTIFY_ERROR;
import static dev.mp3conv.server.jobs.JobDocuments.OWNER;
import static dev.mp3conv.server.jobs.JobDocuments.PROGRESS;
import static dev.mp3conv.server.jobs.JobDocuments.STATE;
import static dev.mp3conv.server.jobs.JobDocuments.UPDATED_AT;
import static dev.mp3conv.server.jobs.JobDocuments.VIDEO_PUBLISHED_AT;

/**
 * The {@code jobs} collection. Every state change is one atomic conditional update, so two workers
 * or a redelivered message can never both win; nothing here relies on a secondary index being
 * enforced (the indexes declared are for speed on a real MongoDB).
 */
public final class JobRepository {
    private final DocumentCollection jobs;
    private final Clock clock;
    private final Retention retention;
    private final JobChanges changes;

    /**
     * Opens the collection with the default retention; changes are announced to no one else.
     *
     * @param store the metadata store
     * @param clock    time source (tests move it)
     */
    public JobRepository(Mongo store, Clock clock) {
        this(store, clock, Retention.DEFAULTS, new JobChanges());
    }

    /**
     * Opens the collection with the default retention.
     *
     * @param store the metadata store
     * @param clock    time source (tests move it)
     * @param changes  where each change of a job's state or progress made through this repository is announced
     */
    public JobRepository(Mongo store, Clock clock, JobChanges changes) {
        this(store, clock, Retention.DEFAULTS, changes);
    }

    /**
     * Opens the collection; changes are announced to no one else.
     *
     * @param store  the metadata store
     * @param clock     time source (tests move it)
     * @param retention how long finished jobs keep their files: a job that ends gets its expiry times
     */
    public JobRepository(Mongo store, Clock clock, Retention retention) {
        this(store, clock, retention, new JobChanges());
    }

    /**
     * Opens the collection and declares its indexes.
     *
     * @param store  the metadata store
     * @param clock     time source (tests move it)
     * @param retention how long finished jobs keep their files: a job that ends gets its expiry times
     * @param changes   where each change of a job's state or progress made through this repository is announced
     */
    public JobRepository(Mongo store, Clock clock, Retention retention, JobChanges changes) {
        this.jobs = store.collection("jobs");
        this.clock = clock;
        this.retention = retention;
        this.changes = changes;
        jobs.createIndex(Indexes.compoundIndex(Indexes.ascending(OWNER), Indexes.descending("_id")));
        jobs.createIndex(Indexes.ascending(STATE, LEASE_UNTIL));
        jobs.createIndex(Indexes.ascending(JobDocuments.VIDEO_EXPIRES_AT));
        jobs.createIndex(Indexes.ascending(JobDocuments.EXPIRES_AT));
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
        jobs.insertOne(JobDocuments.toDocument(job));
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
        return jobs.find(byId(id)).first().map(JobDocuments::toJob);
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
        return jobs.find(and(eq(MP3_FID, mp3Fid), eq(OWNER, owner))).first().map(JobDocuments::toJob);
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
        Bson mine = and(eq(OWNER, owner), eq(JobDocuments.EXPIRED_AT, null));
        Bson filter = before == null || !ObjectId.isValid(before)
                ? mine
                : and(mine, lt("_id", new ObjectId(before)));
        List<Job> page = new ArrayList<>();
        for (Document doc : jobs.find(filter).sort(descending("_id")).limit(limit).list()) {
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
                && jobs.deleteOne(byId(id)).getDeletedCount() > 0);
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
        return jobs.findOneAndDelete(byId(id)).map(JobDocuments::toJob);
    }

    /**
     * Records that the queue confirmed the job's {@code video} message.
     *
     * @param id job id
     */
    public void markVideoPublished(String id) {
        jobs.updateOne(byId(id), set(VIDEO_PUBLISHED_AT, date(now())));
    }

    /**
     * Records that the queue confirmed the job's {@code mp3} message.
     *
     * @param id job id
     */
    public void markMp3Published(String id) {
        jobs.updateOne(byId(id), set(MP3_PUBLISHED_AT, date(now())));
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
        Bson claimable = or(eq(STATE, JobState.QUEUED.name()),
                and(eq(STATE, JobState.CONVERTING.name()), lt(LEASE_UNTIL, date(now))));
        Bson update = combine(set(STATE, JobState.CONVERTING.name()),
                set(LEASE_OWNER, worker),
                set(LEASE_UNTIL, date(now.plus(lease))),
                set(PROGRESS, 0.0),
                inc(ATTEMPTS, 1),
                set(UPDATED_AT, date(now)));
        return jobs.findOneAndUpdate(and(byId(id), claimable), update,
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
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
        Bson live = and(eq(OWNER, owner), in(STATE, JobState.CONVERTING.name(), JobState.UPLOADING.name()),
                gt(LEASE_UNTIL, date(now())));
        return jobs.countDocuments(ObjectId.isValid(except) ? and(live, ne("_id", new ObjectId(except))) : live);
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
        return modified(held(id, worker), combine(set(STATE, JobState.QUEUED.name()), unset(LEASE_UNTIL),
                unset(LEASE_OWNER), set(PROGRESS, 0.0), inc(ATTEMPTS, -1),
                set(UPDATED_AT, date(now()))));
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
        return announced(id, modified(held(id, worker), combine(set(LEASE_UNTIL, date(now.plus(lease))),
                set(PROGRESS, progress), set(UPDATED_AT, date(now)))));
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
        return modified(held(id, worker), combine(set(DURATION_SECONDS, durationSeconds),
                set(UPDATED_AT, date(now()))));
    }

    /**
     * Records what loudness normalisation measured (the input before the conversion, the MP3 after it).
     *
     * @param id     job id
     * @param worker worker holding the lease ({@code segments} for a job converted in segments)
     * @param report the measurements
     * @return false when the worker no longer holds the lease
     */
    public boolean recordLoudness(String id, String worker, dev.mp3conv.model.LoudnessReport report) {
        return modified(held(id, worker), combine(set(JobDocuments.LOUDNESS, JobDocuments.loudness(report)),
                set(UPDATED_AT, date(now()))));
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
        List<Bson> updates = new ArrayList<>(List.of(set(STATE, JobState.DONE.name()),
                set(MP3_FID, mp3Fid),
                set(MP3_SIZE, mp3Size),
                set(MP3_SHA256, mp3Sha256),
                set(PROGRESS, 1.0),
                unset(LEASE_UNTIL),
                unset(LEASE_OWNER),
                set(UPDATED_AT, date(now))));
        updates.addAll(expiry(id, now));
        if (bitrate != null) {
            updates.add(set(BITRATE, bitrate));
        }
        Bson update = combine(updates);
        return jobs.findOneAndUpdate(held(id, worker), update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).map(JobDocuments::toJob)
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
                ? and(byId(id), in(STATE, JobState.QUEUED.name(), JobState.CONVERTING.name()))
                : held(id, worker);
        Instant now = now();
        List<Bson> updates = new ArrayList<>(List.of(set(STATE, JobState.FAILED.name()),
                set(ERROR, JobDocuments.error(error)),
                unset(LEASE_UNTIL),
                unset(LEASE_OWNER),
                set(UPDATED_AT, date(now))));
        updates.addAll(expiry(id, now));
        Bson update = combine(updates);
        return jobs.findOneAndUpdate(condition, update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).map(JobDocuments::toJob)
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
        return announced(id, modified(held(id, worker), combine(set(STATE, JobState.QUEUED.name()),
                unset(LEASE_UNTIL), unset(LEASE_OWNER), set(PROGRESS, 0.0),
                unset(VIDEO_PUBLISHED_AT), set(UPDATED_AT, date(now())))));
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
        Bson condition = and(byId(id), in(STATE, JobState.DONE.name(), JobState.FAILED.name()),
                eq(NOTIFIED_AT, null));
        return jobs.findOneAndUpdate(condition,
                        combine(set(NOTIFIED_AT, date(now)), set(NOTIFY_CHANNEL, channel)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
                .map(JobDocuments::toJob);
    }

    /**
     * Gives a notification claim back after a transient failure, so a retry can claim it again.
     *
     * @param id job id
     */
    public void releaseNotification(String id) {
        jobs.updateOne(byId(id), combine(unset(NOTIFIED_AT), unset(NOTIFY_CHANNEL)));
    }

    /**
     * Records why a notification failed for good (the claim stays, so it is not retried).
     *
     * @param id    job id
     * @param error the reason
     */
    public void recordNotifyError(String id, JobError error) {
        jobs.updateOne(byId(id), set(NOTIFY_ERROR, JobDocuments.error(error)));
    }

    /**
     * QUEUED jobs whose {@code video} message was never confirmed and that are older than {@code before}.
     *
     * @param before only jobs last updated before this
     * @param limit  at most this many
     * @return the jobs
     */
    public List<Job> queuedUnpublished(Instant before, int limit) {
        return query(and(eq(STATE, JobState.QUEUED.name()), eq(VIDEO_PUBLISHED_AT, null),
                lt(UPDATED_AT, date(before))), limit);
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
        return query(and(eq(STATE, JobState.QUEUED.name()), lt(VIDEO_PUBLISHED_AT, date(publishedBefore))), limit);
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
        return query(and(in(STATE, JobState.DONE.name(), JobState.FAILED.name()), eq(NOTIFIED_AT, null),
                eq(NOTIFY_ERROR, null), lt(MP3_PUBLISHED_AT, date(publishedBefore))), limit);
    }

    /**
     * All QUEUED jobs (the in-process queue loses its messages on restart).
     *
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> queued(int limit) {
        return query(eq(STATE, JobState.QUEUED.name()), limit);
    }

    /**
     * All CONVERTING jobs.
     *
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> converting(int limit) {
        return query(eq(STATE, JobState.CONVERTING.name()), limit);
    }

    /**
     * CONVERTING jobs whose lease ran out before {@code now}.
     *
     * @param now   the time
     * @param limit at most this many
     * @return the jobs
     */
    public List<Job> expiredLeases(Instant now, int limit) {
        return query(and(eq(STATE, JobState.CONVERTING.name()), lt(LEASE_UNTIL, date(now))), limit);
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
        Bson filter = and(in(STATE, JobState.DONE.name(), JobState.FAILED.name()), eq(NOTIFIED_AT, null),
                lt(UPDATED_AT, date(before)));
        return query(includePublished ? filter : and(filter, eq(MP3_PUBLISHED_AT, null)), limit);
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
        return jobs.findOneAndUpdate(and(byId(id), lte(JobDocuments.VIDEO_EXPIRES_AT, date(now)),
                        eq(JobDocuments.VIDEO_DELETED_AT, null), eq(JobDocuments.EXPIRED_AT, null)),
                        set(JobDocuments.VIDEO_DELETED_AT, date(now)))
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
        return jobs.findOneAndUpdate(and(byId(id), lte(JobDocuments.EXPIRES_AT, date(now)),
                        eq(JobDocuments.EXPIRED_AT, null)),
                        combine(set(JobDocuments.EXPIRED_AT, date(now)), set(JobDocuments.VIDEO_DELETED_AT, date(now))))
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
        List<ObjectId> ids = jobs.find(lt(JobDocuments.EXPIRED_AT, date(before)))
                .projection(new Document("_id", 1)).limit(limit).list().stream()
                .map(d -> d.getObjectId("_id")).toList();
        if (ids.isEmpty()) {
            return 0;
        }
        return (int) jobs.deleteMany(and(in("_id", ids), lt(JobDocuments.EXPIRED_AT, date(before)))).getDeletedCount();
    }

    /**
     * Bytes a user's jobs hold in the blob store ({@link Job#storedBytes}), summed from the records: what
     * the storage quota's running count must equal when no upload is under way.
     *
     * @param owner user id
     * @return bytes
     */
    public long storedBytes(String owner) {
        return jobs.find(and(eq(OWNER, owner), eq(JobDocuments.EXPIRED_AT, null))).list().stream()
                .map(JobDocuments::toJob).mapToLong(Job::storedBytes).sum();
    }

    private List<Job> query(Bson filter, int limit) {
        return jobs.find(filter).limit(limit).list().stream().map(JobDocuments::toJob).toList();
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
        return jobs.updateOne(filter, update).getModifiedCount() > 0;
    }

    private static Bson held(String id, String worker) {
        return and(byId(id), eq(STATE, JobState.CONVERTING.name()), eq(LEASE_OWNER, worker));
    }

    private static Bson byId(String id) {
        return eq("_id", new ObjectId(id));
    }

    static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }
}
