package dev.mp3conv.server.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;

/**
 * The {@code segments} collection: the units of work of jobs converted in segments, with the same
 * kind of claims and leases as {@link JobRepository} (one conditional update each, exactly one
 * caller wins). While its segments run, a job stays CONVERTING with {@link #OWNER} as its lease
 * owner and no lease time, so neither a whole-job claim nor the {@link JobSweeper}'s expired-lease
 * pass touches it; a lost converter costs only the segment it held. The job is completed or failed
 * through {@link JobRepository#complete} / {@link JobRepository#fail} with {@link #OWNER}.
 */
public final class SegmentRepository {
    /** The lease owner of a job whose segments are converting. */
    public static final String OWNER = "segments";

    private final DocumentCollection segments;
    private final DocumentCollection jobs;
    private final Clock clock;

    /**
     * Opens the collection and declares its index.
     *
     * @param store the metadata store
     * @param clock    time source
     */
    public SegmentRepository(Mongo store, Clock clock) {
        this.segments = store.collection("segments");
        this.jobs = store.collection("jobs");
        this.clock = clock;
        segments.createIndex(Indexes.ascending("job_id", "index"));
    }

    /**
     * Replaces a job's units with a new plan (a job converted again after a restart plans again).
     *
     * @param units the encodes and the stitch step
     */
    public void replacePlan(List<Segment> units) {
        String jobId = units.getFirst().jobId();
        deleteOfJob(jobId);
        Instant now = clock.instant();
        List<Document> docs = units.stream().map(unit -> toDocument(unit, now)).toList();
        segments.insertMany(docs);
    }

    /**
     * Hands a job its worker holds over to its segments: it stays CONVERTING, owned by {@link #OWNER}
     * with no lease time.
     *
     * @param jobId  job
     * @param worker worker holding the job's lease
     * @param count  number of segments
     * @return false when the worker no longer held the job
     */
    public boolean handOver(String jobId, String worker, int count) {
        Bson held = and(eq("_id", new ObjectId(jobId)), eq("state", JobState.CONVERTING.name()), eq("lease_owner", worker));
        return modified(jobs, held, combine(set("lease_owner", OWNER), unset("lease_until"), set("segments", count),
                set("progress", 0.0), set("updated_at", date(clock.instant()))));
    }

    /**
     * Whether a job is converting in segments now.
     *
     * @param job the job as read
     * @return true while its segments own it
     */
    public static boolean segmented(Job job) {
        return job.state() == JobState.CONVERTING && OWNER.equals(job.leaseOwner());
    }

    /**
     * Records a segmented job's progress.
     *
     * @param jobId    job
     * @param progress 0..1
     */
    public void recordJobProgress(String jobId, double progress) {
        modified(jobs, and(eq("_id", new ObjectId(jobId)), eq("state", JobState.CONVERTING.name()),
                eq("lease_owner", OWNER)), combine(set("progress", progress), set("updated_at", date(clock.instant()))));
    }

    /**
     * All units of a job, by index.
     *
     * @param jobId job
     * @return units
     */
    public List<Segment> ofJob(String jobId) {
        return segments.find(eq("job_id", jobId)).sort(ascending("index")).list().stream()
                .map(SegmentRepository::toSegment).toList();
    }

    /**
     * Claims a unit: QUEUED, or CONVERTING with an expired lease, becomes CONVERTING for
     * {@code worker}, attempts + 1.
     *
     * @param jobId  job
     * @param index  unit index
     * @param worker claiming worker
     * @param lease  claim length unless renewed
     * @return the claimed unit, empty when it is waiting, done, held or gone
     */
    public Optional<Segment> claim(String jobId, int index, String worker, Duration lease) {
        Instant now = clock.instant();
        Bson claimable = or(eq("state", Segment.QUEUED),
                and(eq("state", Segment.CONVERTING), lt("lease_until", date(now))));
        Bson update = combine(set("state", Segment.CONVERTING), set("lease_owner", worker),
                set("lease_until", date(now.plus(lease))), set("progress", 0.0), inc("attempts", 1),
                set("updated_at", date(now)));
        return segments.findOneAndUpdate(and(eq("_id", id(jobId, index)), claimable), update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)).map(SegmentRepository::toSegment);
    }

    /**
     * How many segments of a user's jobs hold a live lease (are being encoded or stitched by a live worker),
     * leaving one out: with {@link JobRepository#liveLeases}, what {@code converter.per-user} limits.
     *
     * @param owner       user id
     * @param exceptJob   the job of a segment not to count
     * @param exceptIndex that segment's index, or null to count every segment
     * @return the number of segments
     */
    public long liveLeases(String owner, String exceptJob, Integer exceptIndex) {
        List<String> segmented = jobs.find(and(eq("owner", owner), eq("state", JobState.CONVERTING.name()),
                eq("lease_owner", OWNER))).projection(include("_id")).list().stream()
                .map(doc -> doc.getObjectId("_id").toHexString()).toList();
        if (segmented.isEmpty()) {
            return 0;
        }
        Bson live = and(in("job_id", segmented), eq("state", Segment.CONVERTING), gt("lease_until", date(clock.instant())));
        if (exceptIndex != null) {
            live = and(live, ne("_id", id(exceptJob, exceptIndex)));
        }
        return segments.countDocuments(live);
    }

    /**
     * Undoes a claim that must wait (its owner has enough conversions running): CONVERTING → QUEUED, and the
     * attempt it counted is taken back.
     *
     * @param unit   the unit
     * @param worker lease holder
     * @return whether the claim was undone
     */
    public boolean unclaim(Segment unit, String worker) {
        return modified(segments, held(unit, worker), combine(set("state", Segment.QUEUED), unset("lease_until"),
                unset("lease_owner"), set("progress", 0.0), inc("attempts", -1), unset("published_at"),
                set("updated_at", date(clock.instant()))));
    }

    /**
     * Extends a lease and records progress.
     *
     * @param unit     the unit
     * @param worker   lease holder
     * @param lease    new lease from now
     * @param progress 0..1
     * @return false when the worker no longer holds it
     */
    public boolean renew(Segment unit, String worker, Duration lease, double progress) {
        Instant now = clock.instant();
        return modified(segments, held(unit, worker), combine(set("lease_until", date(now.plus(lease))),
                set("progress", progress), set("updated_at", date(now))));
    }

    /**
     * CONVERTING → DONE for the lease holder.
     *
     * @param unit   the unit
     * @param worker lease holder
     * @param blobId the encoded segment's blob (null for the stitch step)
     * @return false when the worker lost the lease (it must delete its blob)
     */
    public boolean complete(Segment unit, String worker, String blobId) {
        // an encode made by seeking is kept only while its unit still seeks (countFromStart turns that off)
        Bson held = and(held(unit, worker), ne("seek", !unit.seek()));
        List<Bson> changes = new ArrayList<>(List.of(set("state", Segment.DONE), set("progress", 1.0),
                unset("lease_until"), unset("lease_owner"), set("updated_at", date(clock.instant()))));
        if (blobId != null) {
            changes.add(set("blob_id", blobId));
        }
        return modified(segments, held, combine(changes));
    }

    /**
     * One unit as stored now.
     *
     * @param jobId job
     * @param index unit index
     * @return the unit, empty when gone
     */
    public Optional<Segment> find(String jobId, int index) {
        return segments.find(eq("_id", id(jobId, index))).first().map(SegmentRepository::toSegment);
    }

    /**
     * Makes every seeking encode of a job from {@code fromIndex} on count from the decoder's first sample instead,
     * once the timestamps were found to disagree with the samples: a unit not yet encoded or being encoded just
     * stops seeking (its holder's {@link #complete} fails, and it encodes again), one already encoded is QUEUED
     * again (its attempt taken back: it did not fail) and returned, for the caller to delete its blob and publish
     * its message. Each change is one conditional update, so an encode that completes meanwhile is either kept
     * and re-queued, or refused.
     *
     * @param jobId     job
     * @param fromIndex first unit concerned
     * @return the units re-queued, each as it was before (with its blob)
     */
    public List<Segment> countFromStart(String jobId, int fromIndex) {
        Bson seeking = and(eq("job_id", jobId), gte("index", fromIndex), eq("seek", true));
        Instant now = clock.instant();
        segments.updateMany(and(seeking, ne("state", Segment.DONE)), combine(set("seek", false),
                set("updated_at", date(now))));
        List<Segment> requeued = new ArrayList<>();
        for (Segment done : query(and(seeking, eq("state", Segment.DONE)), 1000)) {
            segments.findOneAndUpdate(and(eq("_id", id(jobId, done.index())), eq("seek", true),
                                    eq("state", Segment.DONE)),
                            combine(set("seek", false), set("state", Segment.QUEUED), unset("blob_id"),
                                    set("progress", 0.0), inc("attempts", -1), unset("published_at"),
                                    set("updated_at", date(now))),
                            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE))
                    .map(SegmentRepository::toSegment).ifPresent(requeued::add);
        }
        return requeued;
    }

    /**
     * CONVERTING → QUEUED for a worker that stops before finishing, so another takes it at once.
     *
     * @param unit   the unit
     * @param worker lease holder
     * @return whether it was released
     */
    public boolean release(Segment unit, String worker) {
        return modified(segments, held(unit, worker), combine(set("state", Segment.QUEUED), unset("lease_until"),
                unset("lease_owner"), set("progress", 0.0), unset("published_at"),
                set("updated_at", date(clock.instant()))));
    }

    /**
     * Makes the stitch step claimable once every encode is DONE (WAITING → QUEUED); exactly one
     * caller wins.
     *
     * @param jobId job
     * @param count number of encodes
     * @return true for the caller that moved it (it publishes the stitch message)
     */
    public boolean promoteStitch(String jobId, int count) {
        long done = segments.countDocuments(and(eq("job_id", jobId), eq("state", Segment.DONE),
                lt("index", count)));
        if (done < count) {
            return false;
        }
        return modified(segments, and(eq("_id", id(jobId, count)), eq("state", Segment.WAITING)),
                combine(set("state", Segment.QUEUED), set("updated_at", date(clock.instant()))));
    }

    /**
     * Records that the queue confirmed a unit's message.
     *
     * @param jobId job
     * @param index unit index
     */
    public void markPublished(String jobId, int index) {
        segments.updateOne(eq("_id", id(jobId, index)), set("published_at", date(clock.instant())));
    }

    /**
     * CONVERTING units whose lease ran out.
     *
     * @param now   the time
     * @param limit at most this many
     * @return units
     */
    public List<Segment> expiredLeases(Instant now, int limit) {
        return query(and(eq("state", Segment.CONVERTING), lt("lease_until", date(now))), limit);
    }

    /**
     * QUEUED units whose message was never confirmed (older than {@code before}) or was confirmed
     * before {@code publishedBefore} and never taken.
     *
     * @param before          unpublished units last updated before this
     * @param publishedBefore published units whose publish is older than this
     * @param limit           at most this many
     * @return units
     */
    public List<Segment> queuedUntaken(Instant before, Instant publishedBefore, int limit) {
        return query(and(eq("state", Segment.QUEUED), or(and(eq("published_at", null), lt("updated_at", date(before))),
                lt("published_at", date(publishedBefore)))), limit);
    }

    /**
     * Stitch steps still WAITING (their promotion may have been lost with a process).
     *
     * @param before last updated before this
     * @param limit  at most this many
     * @return units
     */
    public List<Segment> waitingStitches(Instant before, int limit) {
        return query(and(eq("state", Segment.WAITING), lt("updated_at", date(before))), limit);
    }

    /**
     * Job ids that have units (for the clean-up of finished or deleted jobs).
     *
     * @param before units last updated before this
     * @param limit  at most this many units looked at
     * @return job ids
     */
    public Set<String> jobIds(Instant before, int limit) {
        Set<String> ids = new LinkedHashSet<>();
        for (Segment unit : query(lt("updated_at", date(before)), limit)) {
            ids.add(unit.jobId());
        }
        return ids;
    }

    /**
     * Deletes a job's units.
     *
     * @param jobId job
     */
    public void deleteOfJob(String jobId) {
        segments.deleteMany(eq("job_id", jobId));
    }

    private List<Segment> query(Bson filter, int limit) {
        return segments.find(filter).limit(limit).list().stream().map(SegmentRepository::toSegment).toList();
    }

    private static boolean modified(DocumentCollection collection, Bson filter, Bson update) {
        return collection.updateOne(filter, update).getModifiedCount() > 0;
    }

    private static Bson held(Segment unit, String worker) {
        return and(eq("_id", id(unit.jobId(), unit.index())), eq("state", Segment.CONVERTING), eq("lease_owner", worker));
    }

    private static String id(String jobId, int index) {
        return jobId + ":" + index;
    }

    private static Document toDocument(Segment unit, Instant now) {
        Document doc = new Document("_id", id(unit.jobId(), unit.index()))
                .append("job_id", unit.jobId())
                .append("index", unit.index())
                .append("count", unit.count())
                .append("state", unit.state())
                .append("attempts", unit.attempts())
                .append("progress", unit.progress())
                .append("sample_rate", unit.sampleRate())
                .append("start_sample", unit.startSample())
                .append("end_sample", unit.endSample())
                .append("keep_from", unit.keepFrom())
                .append("keep_before", unit.keepBefore())
                .append("seconds", unit.seconds())
                .append("seek", unit.seek())
                .append("check_sample", unit.checkSample())
                .append("created_at", date(now))
                .append("updated_at", date(now));
        if (unit.blobId() != null) {
            doc.append("blob_id", unit.blobId());
        }
        if (unit.deadline() != null) {
            doc.append("deadline", date(unit.deadline()));
        }
        if (unit.tags() != null) {
            doc.append("tags", new Document(new TreeMap<String, Object>(unit.tags())));
        }
        return doc;
    }

    private static Segment toSegment(Document doc) {
        return new Segment(doc.getString("job_id"), number(doc, "index").intValue(), number(doc, "count").intValue(),
                doc.getString("state"), number(doc, "attempts").intValue(), instant(doc, "lease_until"),
                doc.getString("lease_owner"), number(doc, "progress").doubleValue(),
                number(doc, "sample_rate").intValue(), number(doc, "start_sample").longValue(),
                number(doc, "end_sample").longValue(), number(doc, "keep_from").intValue(),
                number(doc, "keep_before").intValue(), number(doc, "seconds").doubleValue(), doc.getString("blob_id"),
                instant(doc, "published_at"), instant(doc, "updated_at"), instant(doc, "deadline"), tags(doc),
                Boolean.TRUE.equals(doc.getBoolean("seek")),
                doc.containsKey("check_sample") ? number(doc, "check_sample").longValue() : -1);
    }

    private static Map<String, String> tags(Document doc) {
        Document tags = doc.get("tags", Document.class);
        if (tags == null) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        tags.forEach((key, value) -> {
            if (value instanceof String text) {
                out.put(key, text);
            }
        });
        return Map.copyOf(out);
    }

    private static Number number(Document doc, String key) {
        Object value = doc.get(key);
        return value == null ? 0 : (Number) value;
    }

    private static Instant instant(Document doc, String key) {
        Date date = doc.getDate(key);
        return date == null ? null : date.toInstant();
    }

    private static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }
}
