package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.LoudnessReport;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Maps {@link Job} to and from its BSON document (snake_case field names).
 */
final class JobDocuments {
    /** The job state ({@code JobState} name). */
    static final String STATE = "state";
    /** The owner's user id. */
    static final String OWNER = "owner";
    /** The worker holding the job (or {@code SegmentRepository.OWNER} for its segments). */
    static final String LEASE_OWNER = "lease_owner";
    /** When the holder's lease runs out. */
    static final String LEASE_UNTIL = "lease_until";
    /** Claims so far. */
    static final String ATTEMPTS = "attempts";
    /** Conversion progress, 0..1. */
    static final String PROGRESS = "progress";
    /** Last change. */
    static final String UPDATED_AT = "updated_at";
    /** When the job was made. */
    static final String CREATED_AT = "created_at";
    /** The MP3's blob id. */
    static final String MP3_FID = "mp3_fid";
    /** The MP3's size in bytes. */
    static final String MP3_SIZE = "mp3_size";
    /** The MP3's hex SHA-256. */
    static final String MP3_SHA256 = "mp3_sha256";
    /** The bitrate recorded on a DONE job. */
    static final String BITRATE = "bitrate";
    /** Why the job failed ({@link #error(JobError)}). */
    static final String ERROR = "error";
    /** When the queue confirmed the {@code video} message. */
    static final String VIDEO_PUBLISHED_AT = "video_published_at";
    /** When the queue confirmed the {@code mp3} message. */
    static final String MP3_PUBLISHED_AT = "mp3_published_at";
    /** When the owner's notification was claimed. */
    static final String NOTIFIED_AT = "notified_at";
    /** How the owner was told. */
    static final String NOTIFY_CHANNEL = "notify_channel";
    /** Why the notification failed for good ({@link #error(JobError)}). */
    static final String NOTIFY_ERROR = "notify_error";
    /** The media's duration. */
    static final String DURATION_SECONDS = "duration_seconds";
    /** The video's blob id. */
    static final String VIDEO_FID = "video_fid";
    /** Retention the owner asked for, in milliseconds. */
    static final String KEEP_MS = "keep_ms";
    /** When the source video is to be deleted (set when the job ends). */
    static final String VIDEO_EXPIRES_AT = "video_expires_at";
    /** When the MP3 and the job expire (set when the job ends). */
    static final String EXPIRES_AT = "expires_at";
    /** When the video was deleted; set by the claim that deletes it. */
    static final String VIDEO_DELETED_AT = "video_deleted_at";
    /** When the job expired; set by the claim that deletes its blobs, the record is a tombstone after. */
    static final String EXPIRED_AT = "expired_at";
    /** Whether a resumable upload converts while it arrives: {@code {mode, container, reason, progress}}. */
    static final String STREAM = "stream";
    /** The audio options asked besides bitrate and quality: their form fields, as strings. */
    static final String OPTIONS = "options";
    /** What loudness normalisation measured. */
    static final String LOUDNESS = "loudness";

    private JobDocuments() {
    }

    static Document toDocument(Job job) {
        Document doc = new Document("_id", new ObjectId(job.id()))
                .append(OWNER, job.owner())
                .append("owner_email", job.ownerEmail())
                .append("filename", job.filename())
                .append("content_type", job.contentType())
                .append("size", job.size())
                .append("sha256", job.sha256())
                .append(VIDEO_FID, job.videoFid())
                .append(STATE, job.state().name())
                .append(ATTEMPTS, job.attempts())
                .append(PROGRESS, job.progress())
                .append(CREATED_AT, JobRepository.date(job.createdAt()))
                .append(UPDATED_AT, JobRepository.date(job.updatedAt()));
        putIfPresent(doc, LEASE_UNTIL, JobRepository.date(job.leaseUntil()));
        putIfPresent(doc, LEASE_OWNER, job.leaseOwner());
        putIfPresent(doc, DURATION_SECONDS, job.durationSeconds());
        putIfPresent(doc, MP3_FID, job.mp3Fid());
        putIfPresent(doc, MP3_SIZE, job.mp3Size());
        putIfPresent(doc, MP3_SHA256, job.mp3Sha256());
        putIfPresent(doc, BITRATE, job.bitrate());
        putIfPresent(doc, "quality", job.quality());
        putIfPresent(doc, ERROR, error(job.error()));
        putIfPresent(doc, VIDEO_PUBLISHED_AT, JobRepository.date(job.videoPublishedAt()));
        putIfPresent(doc, MP3_PUBLISHED_AT, JobRepository.date(job.mp3PublishedAt()));
        putIfPresent(doc, NOTIFIED_AT, JobRepository.date(job.notifiedAt()));
        putIfPresent(doc, NOTIFY_CHANNEL, job.notifyChannel());
        putIfPresent(doc, NOTIFY_ERROR, error(job.notifyError()));
        putIfPresent(doc, KEEP_MS, job.keep() == null ? null : job.keep().toMillis());
        putIfPresent(doc, VIDEO_EXPIRES_AT, JobRepository.date(job.videoExpiresAt()));
        putIfPresent(doc, EXPIRES_AT, JobRepository.date(job.expiresAt()));
        putIfPresent(doc, VIDEO_DELETED_AT, JobRepository.date(job.videoDeletedAt()));
        putIfPresent(doc, EXPIRED_AT, JobRepository.date(job.expiredAt()));
        if (job.streaming() != null) {
            doc.append(STREAM, streaming(job.streaming()));
        }
        if (!job.audioOptions().isEmpty()) {
            doc.append(OPTIONS, new Document(new LinkedHashMap<>(job.audioOptions())));
        }
        putIfPresent(doc, LOUDNESS, loudness(job.loudness()));
        return doc;
    }

    static Job toJob(Document doc) {
        return new Job(doc.getObjectId("_id").toHexString(),
                doc.getString(OWNER),
                doc.getString("owner_email"),
                doc.getString("filename"),
                doc.getString("content_type"),
                number(doc, "size").longValue(),
                doc.getString("sha256"),
                doc.getString(VIDEO_FID),
                JobState.valueOf(doc.getString(STATE)),
                number(doc, ATTEMPTS).intValue(),
                instant(doc, LEASE_UNTIL),
                doc.getString(LEASE_OWNER),
                number(doc, PROGRESS).doubleValue(),
                doc.get(DURATION_SECONDS) == null ? null : number(doc, DURATION_SECONDS).doubleValue(),
                doc.getString(MP3_FID),
                doc.get(MP3_SIZE) == null ? null : number(doc, MP3_SIZE).longValue(),
                doc.getString(MP3_SHA256),
                doc.getString(BITRATE),
                doc.get("quality") == null ? null : number(doc, "quality").intValue(),
                error(doc.get(ERROR, Document.class)),
                instant(doc, VIDEO_PUBLISHED_AT),
                instant(doc, MP3_PUBLISHED_AT),
                instant(doc, NOTIFIED_AT),
                doc.getString(NOTIFY_CHANNEL),
                error(doc.get(NOTIFY_ERROR, Document.class)),
                instant(doc, CREATED_AT),
                instant(doc, UPDATED_AT),
                doc.get(KEEP_MS) == null ? null : Duration.ofMillis(number(doc, KEEP_MS).longValue()),
                instant(doc, VIDEO_EXPIRES_AT),
                instant(doc, EXPIRES_AT),
                instant(doc, VIDEO_DELETED_AT),
                instant(doc, EXPIRED_AT),
                streaming(doc.get(STREAM, Document.class)),
                options(doc.get(OPTIONS, Document.class)),
                loudness(doc.get(LOUDNESS, Document.class)));
    }

    /** Only string values: anything else in the store is not an option a gateway wrote, and is dropped. */
    private static Map<String, String> options(Document doc) {
        Map<String, String> options = new LinkedHashMap<>();
        if (doc != null) {
            doc.forEach((key, value) -> {
                if (value instanceof String text) {
                    options.put(key, text);
                }
            });
        }
        return options;
    }

    static Document loudness(LoudnessReport report) {
        if (report == null) {
            return null;
        }
        Document doc = new Document("input_lufs", report.inputLufs())
                .append("input_true_peak_dbtp", report.inputTruePeakDbtp())
                .append("gain_db", report.gainDb())
                .append("limited", report.limited());
        putIfPresent(doc, "output_lufs", report.outputLufs());
        putIfPresent(doc, "output_true_peak_dbtp", report.outputTruePeakDbtp());
        return doc;
    }

    private static LoudnessReport loudness(Document doc) {
        if (doc == null) {
            return null;
        }
        return new LoudnessReport(number(doc, "input_lufs").doubleValue(),
                number(doc, "input_true_peak_dbtp").doubleValue(), number(doc, "gain_db").doubleValue(),
                Boolean.TRUE.equals(doc.getBoolean("limited")),
                doc.get("output_lufs") == null ? null : number(doc, "output_lufs").doubleValue(),
                doc.get("output_true_peak_dbtp") == null ? null : number(doc, "output_true_peak_dbtp").doubleValue());
    }

    private static void putIfPresent(Document doc, String key, Object value) {
        if (value != null) {
            doc.append(key, value);
        }
    }

    private static Number number(Document doc, String key) {
        Object value = doc.get(key);
        return value == null ? 0 : (Number) value;
    }

    private static Instant instant(Document doc, String key) {
        Date date = doc.getDate(key);
        return date == null ? null : date.toInstant();
    }

    static Document error(JobError error) {
        if (error == null) {
            return null;
        }
        Document doc = new Document("code", error.code()).append("message", error.message());
        putIfPresent(doc, "detail", error.detail());
        return doc;
    }

    static Document streaming(JobStreaming streaming) {
        Document doc = new Document("mode", streaming.mode()).append("container", streaming.container())
                .append("reason", streaming.reason());
        putIfPresent(doc, "progress", streaming.conversionProgress());
        return doc;
    }

    private static JobStreaming streaming(Document doc) {
        return doc == null ? null : new JobStreaming(doc.getString("mode"), doc.getString("container"),
                doc.getString("reason"), doc.get("progress") == null ? null : number(doc, "progress").doubleValue());
    }

    private static JobError error(Document doc) {
        return doc == null ? null : new JobError(doc.getString("code"), doc.getString("message"), doc.getString("detail"));
    }
}
