package dev.mp3conv.server.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;

/**
 * The converting-while-uploading side of the {@code jobs} collection (issue 24). A gateway records, from an
 * upload's first bytes, whether it can be converted while it arrives ({@code stream.mode}); a converter then
 * claims the job while it is still UPLOADING (the same {@code lease_owner}/{@code lease_until} as a CONVERTING
 * job's claim, so the per-user limit counts it), renews it with its conversion progress in
 * {@code stream.progress} (the job's {@code progress} stays the upload's), and either abandons it (the upload
 * paused too long: the job converts after the upload) or keeps it through the last byte, which turns the job
 * CONVERTING for the same lease holder ({@link UploadRepository#finish}). Every change is one conditional update.
 */
public final class StreamClaims {
    private static final String MODE = JobDocuments.STREAM + ".mode";
    private static final String PROGRESS = JobDocuments.STREAM + ".progress";

    private final DocumentCollection jobs;
    private final Clock clock;
    private final JobChanges changes;

    /**
     * Opens the collection (the indexes are {@link JobRepository}'s).
     *
     * @param store   the metadata store
     * @param clock   time source
     * @param changes where changes are announced
     */
    public StreamClaims(Mongo store, Clock clock, JobChanges changes) {
        this.jobs = store.collection("jobs");
        this.clock = clock;
        this.changes = changes;
    }

    /**
     * Records the choice made from an upload's first bytes, once. A streaming choice holds only while the job
     * is still UPLOADING; an upload that completed meanwhile is recorded as converted after the upload.
     *
     * @param id     job id
     * @param choice the choice
     * @return the job as recorded, empty when a choice was recorded before (or the job is gone)
     */
    public Optional<Job> decide(String id, JobStreaming choice) {
        Bson undecided = and(byId(id), exists(JobDocuments.STREAM, false));
        Instant now = clock.instant();
        if (JobStreaming.STREAMING.equals(choice.mode())) {
            Optional<Job> streaming = update(and(undecided, eq("state", JobState.UPLOADING.name())),
                    combine(set(JobDocuments.STREAM, JobDocuments.streaming(choice)), set("updated_at", JobRepository.date(now))));
            if (streaming.isPresent()) {
                return streaming;
            }
            choice = new JobStreaming(JobStreaming.AFTER_UPLOAD, choice.container(),
                    "every byte arrived before a converter could start", null);
        }
        return update(undecided, combine(set(JobDocuments.STREAM, JobDocuments.streaming(choice)), set("updated_at", JobRepository.date(now))));
    }

    /**
     * Claims an UPLOADING job chosen for streaming whose claim is free or expired; exactly one caller wins,
     * and the attempt count goes up as for any claim.
     *
     * @param id     job id
     * @param worker claiming worker
     * @param lease  how long the claim lasts unless renewed
     * @return the claimed job, empty when it is not (or no longer) streamable or held by a live lease
     */
    public Optional<Job> claim(String id, String worker, Duration lease) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Bson free = or(eq("lease_owner", null), lt("lease_until", JobRepository.date(now)));
        return update(and(byId(id), eq("state", JobState.UPLOADING.name()), eq(MODE, JobStreaming.STREAMING), free),
                combine(set("lease_owner", worker), set("lease_until", JobRepository.date(now.plus(lease))),
                        set(PROGRESS, 0.0), inc("attempts", 1), set("updated_at", JobRepository.date(now))));
    }

    /**
     * Extends a streaming claim and records the conversion's progress while the upload goes on.
     *
     * @param id       job id
     * @param worker   claim holder
     * @param lease    new lease from now
     * @param progress conversion progress 0..1
     * @return false when the job is no longer UPLOADING under this claim (deleted, abandoned, or the last byte
     *         arrived: then {@link JobRepository#renew} holds it)
     */
    public boolean renew(String id, String worker, Duration lease, double progress) {
        Instant now = clock.instant();
        return modified(id, held(id, worker), combine(set("lease_until", JobRepository.date(now.plus(lease))),
                set(PROGRESS, progress), set("updated_at", JobRepository.date(now))));
    }

    /**
     * Gives a streaming claim up while the upload goes on: the slot is free and the job converts once every
     * byte arrived, like any upload.
     *
     * @param id     job id
     * @param worker claim holder
     * @param reason why, shown in the job
     * @return false when this worker no longer held the job UPLOADING
     */
    public boolean abandon(String id, String worker, String reason) {
        Instant now = clock.instant();
        return modified(id, held(id, worker), combine(unset("lease_owner"), unset("lease_until"), unset(PROGRESS),
                set(MODE, JobStreaming.AFTER_UPLOAD), set(JobDocuments.STREAM + ".reason", reason),
                inc("attempts", -1), set("updated_at", JobRepository.date(now))));
    }

    /**
     * Gives a streaming claim back without giving streaming up (shutdown, the owner's turn is not there yet):
     * another converter may claim it while the upload goes on.
     *
     * @param id     job id
     * @param worker claim holder
     * @return false when this worker no longer held the job UPLOADING
     */
    public boolean unclaim(String id, String worker) {
        return modified(id, held(id, worker), combine(unset("lease_owner"), unset("lease_until"), unset(PROGRESS),
                inc("attempts", -1), set("updated_at", JobRepository.date(clock.instant()))));
    }

    /**
     * Records that a job chosen for streaming is converted after the upload after all (its streaming run gave up
     * once the upload had completed), with why.
     *
     * @param id     job id
     * @param reason why
     */
    public void convertedAfterUpload(String id, String reason) {
        modified(id, and(byId(id), exists(JobDocuments.STREAM)), combine(set(MODE, JobStreaming.AFTER_UPLOAD),
                set(JobDocuments.STREAM + ".reason", reason), unset(PROGRESS)));
    }

    /**
     * The job as stored now.
     *
     * @param id job id
     * @return the job, empty when deleted
     */
    public Optional<Job> find(String id) {
        return jobs.find(byId(id)).first().map(JobDocuments::toJob);
    }

    private Optional<Job> update(Bson filter, Bson update) {
        Optional<Job> job = jobs.findOneAndUpdate(filter, update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).map(JobDocuments::toJob);
        job.ifPresent(j -> changes.changed(j.id()));
        return job;
    }

    private boolean modified(String id, Bson filter, Bson update) {
        boolean changed = jobs.updateOne(filter, update).getModifiedCount() > 0;
        if (changed) {
            changes.changed(id);
        }
        return changed;
    }

    private static Bson held(String id, String worker) {
        return and(byId(id), eq("state", JobState.UPLOADING.name()), eq("lease_owner", worker));
    }

    private static Bson byId(String id) {
        return eq("_id", new ObjectId(id));
    }
}
