package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * Maps {@link Job} to and from its BSON document (snake_case field names).
 */
final class JobDocuments {
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

    private JobDocuments() {
    }

    static Document toDocument(Job job) {
        Document doc = new Document("_id", new ObjectId(job.id()))
                .append("owner", job.owner())
                .append("owner_email", job.ownerEmail())
                .append("filename", job.filename())
                .append("content_type", job.contentType())
                .append("size", job.size())
                .append("sha256", job.sha256())
                .append("video_fid", job.videoFid())
                .append("state", job.state().name())
                .append("attempts", job.attempts())
                .append("progress", job.progress())
                .append("created_at", JobRepository.date(job.createdAt()))
                .append("updated_at", JobRepository.date(job.updatedAt()));
        putIfPresent(doc, "lease_until", JobRepository.date(job.leaseUntil()));
        putIfPresent(doc, "lease_owner", job.leaseOwner());
        putIfPresent(doc, "duration_seconds", job.durationSeconds());
        putIfPresent(doc, "mp3_fid", job.mp3Fid());
        putIfPresent(doc, "mp3_size", job.mp3Size());
        putIfPresent(doc, "mp3_sha256", job.mp3Sha256());
        putIfPresent(doc, "bitrate", job.bitrate());
        putIfPresent(doc, "quality", job.quality());
        putIfPresent(doc, "error", error(job.error()));
        putIfPresent(doc, "video_published_at", JobRepository.date(job.videoPublishedAt()));
        putIfPresent(doc, "mp3_published_at", JobRepository.date(job.mp3PublishedAt()));
        putIfPresent(doc, "notified_at", JobRepository.date(job.notifiedAt()));
        putIfPresent(doc, "notify_channel", job.notifyChannel());
        putIfPresent(doc, "notify_error", error(job.notifyError()));
        putIfPresent(doc, KEEP_MS, job.keep() == null ? null : job.keep().toMillis());
        putIfPresent(doc, VIDEO_EXPIRES_AT, JobRepository.date(job.videoExpiresAt()));
        putIfPresent(doc, EXPIRES_AT, JobRepository.date(job.expiresAt()));
        putIfPresent(doc, VIDEO_DELETED_AT, JobRepository.date(job.videoDeletedAt()));
        putIfPresent(doc, EXPIRED_AT, JobRepository.date(job.expiredAt()));
        if (job.streaming() != null) {
            doc.append(STREAM, streaming(job.streaming()));
        }
        return doc;
    }

    static Job toJob(Document doc) {
        return new Job(doc.getObjectId("_id").toHexString(),
                doc.getString("owner"),
                doc.getString("owner_email"),
                doc.getString("filename"),
                doc.getString("content_type"),
                number(doc, "size").longValue(),
                doc.getString("sha256"),
                doc.getString("video_fid"),
                JobState.valueOf(doc.getString("state")),
                number(doc, "attempts").intValue(),
                instant(doc, "lease_until"),
                doc.getString("lease_owner"),
                number(doc, "progress").doubleValue(),
                doc.get("duration_seconds") == null ? null : number(doc, "duration_seconds").doubleValue(),
                doc.getString("mp3_fid"),
                doc.get("mp3_size") == null ? null : number(doc, "mp3_size").longValue(),
                doc.getString("mp3_sha256"),
                doc.getString("bitrate"),
                doc.get("quality") == null ? null : number(doc, "quality").intValue(),
                error(doc.get("error", Document.class)),
                instant(doc, "video_published_at"),
                instant(doc, "mp3_published_at"),
                instant(doc, "notified_at"),
                doc.getString("notify_channel"),
                error(doc.get("notify_error", Document.class)),
                instant(doc, "created_at"),
                instant(doc, "updated_at"),
                doc.get(KEEP_MS) == null ? null : Duration.ofMillis(number(doc, KEEP_MS).longValue()),
                instant(doc, VIDEO_EXPIRES_AT),
                instant(doc, EXPIRES_AT),
                instant(doc, VIDEO_DELETED_AT),
                instant(doc, EXPIRED_AT),
                streaming(doc.get(STREAM, Document.class)));
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
