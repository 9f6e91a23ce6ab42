package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.JobView;

/**
 * One conversion job as stored in the {@code jobs} collection (DESIGN.md §4).
 *
 * @param id               ObjectId in hex
 * @param owner            owning user id
 * @param ownerEmail       owner's email, carried in queue messages as {@code username}
 * @param filename         original file name, sanitised
 * @param contentType      content type of the upload
 * @param size             upload size in bytes
 * @param sha256           hex SHA-256 of the upload
 * @param videoFid         blob id of the upload
 * @param state            current state
 * @param attempts         conversion attempts (claims) so far
 * @param leaseUntil       while CONVERTING: when the claim expires unless renewed
 * @param leaseOwner       while CONVERTING: the worker holding the claim
 * @param progress         0..1
 * @param durationSeconds  source audio duration once probed
 * @param mp3Fid           blob id of the MP3 once DONE
 * @param mp3Size          MP3 size once DONE
 * @param mp3Sha256        hex SHA-256 of the MP3 once DONE (computed while it was stored)
 * @param bitrate          CBR bitrate asked, e.g. {@code 192k}
 * @param quality          VBR quality asked, 0..9
 * @param error            failure reason when FAILED
 * @param videoPublishedAt when the {@code video} message was confirmed by the queue
 * @param mp3PublishedAt   when the {@code mp3} message was confirmed by the queue
 * @param notifiedAt       when the owner was notified (claimed before sending)
 * @param notifyChannel    how: {@code email}, {@code log}
 * @param notifyError      why the notification failed for good
 * @param createdAt        creation time
 * @param updatedAt        last change
 * @param keep             how long the owner asked to keep the MP3 ({@link Retention#parseKeep}), or null
 * @param videoExpiresAt   once finished: when the source video is deleted
 * @param expiresAt        once finished: when the MP3 and the job expire
 * @param videoDeletedAt   when the source video was deleted (claimed before the blob is deleted)
 * @param expiredAt        when the job expired: it is a tombstone that answers 410 Gone
 * @param streaming        for a resumable upload: converted while it arrives or after, and why; or null
 */
public record Job(String id,
                  String owner,
                  String ownerEmail,
                  String filename,
                  String contentType,
                  long size,
                  String sha256,
                  String videoFid,
                  JobState state,
                  int attempts,
                  Instant leaseUntil,
                  String leaseOwner,
                  double progress,
                  Double durationSeconds,
                  String mp3Fid,
                  Long mp3Size,
                  String mp3Sha256,
                  String bitrate,
                  Integer quality,
                  JobError error,
                  Instant videoPublishedAt,
                  Instant mp3PublishedAt,
                  Instant notifiedAt,
                  String notifyChannel,
                  JobError notifyError,
                  Instant createdAt,
                  Instant updatedAt,
                  Duration keep,
                  Instant videoExpiresAt,
                  Instant expiresAt,
                  Instant videoDeletedAt,
                  Instant expiredAt,
                  JobStreaming streaming) {

    /**
     * A new QUEUED job for a stored upload.
     *
     * @param id          job id (chosen before the blob is written, so blob metadata can name it)
     * @param owner       user id
     * @param ownerEmail  user email
     * @param filename    sanitised file name
     * @param contentType upload content type
     * @param size        bytes
     * @param sha256      hex digest
     * @param videoFid    blob id
     * @param bitrate     CBR bitrate or null
     * @param quality     VBR quality or null
     * @param now         creation time
     * @return the job
     */
    public static Job queued(String id, String owner, String ownerEmail, String filename, String contentType,
                             long size, String sha256, String videoFid, String bitrate, Integer quality, Instant now) {
        return queued(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, bitrate, quality, null, now);
    }

    /**
     * A new QUEUED job whose owner asked to keep its MP3 for a while only.
     *
     * @param id          job id
     * @param owner       user id
     * @param ownerEmail  user email
     * @param filename    sanitised file name
     * @param contentType upload content type
     * @param size        bytes
     * @param sha256      hex digest
     * @param videoFid    blob id
     * @param bitrate     CBR bitrate or null
     * @param quality     VBR quality or null
     * @param keep        retention asked by the owner, or null for the server's
     * @param now         creation time
     * @return the job
     */
    public static Job queued(String id, String owner, String ownerEmail, String filename, String contentType,
                             long size, String sha256, String videoFid, String bitrate, Integer quality,
                             Duration keep, Instant now) {
        return new Job(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, JobState.QUEUED, 0,
                null, null, 0.0, null, null, null, null, bitrate, quality, null, null, null, null, null, null, now, now,
                keep, null, null, null, null, null);
    }

    /**
     * Bytes this job holds in the blob store, as the owner's storage quota counts them: the video until it
     * is deleted, the MP3 until the job expires.
     *
     * @return bytes
     */
    public long storedBytes() {
        if (expiredAt != null) {
            return 0;
        }
        return (videoDeletedAt == null ? size : 0) + (mp3Size == null ? 0 : mp3Size);
    }

    /**
     * A new UPLOADING job for a resumable upload whose bytes are still to come.
     *
     * @param id          job id, also the upload's id
     * @param owner       user id
     * @param ownerEmail  user email
     * @param filename    sanitised file name
     * @param contentType upload content type
     * @param length      declared length in bytes
     * @param videoFid    id of the resumable blob write
     * @param bitrate     CBR bitrate or null
     * @param quality     VBR quality or null
     * @param keep        retention asked by the owner, or null for the server's
     * @param now         creation time
     * @return the job
     */
    public static Job uploading(String id, String owner, String ownerEmail, String filename, String contentType,
                                long length, String videoFid, String bitrate, Integer quality,
                                java.time.Duration keep, Instant now) {
        return new Job(id, owner, ownerEmail, filename, contentType, length, null, videoFid, JobState.UPLOADING, 0,
                null, null, 0.0, null, null, null, null, bitrate, quality, null, null, null, null, null, null, now, now,
                keep, null, null, null, null, null);
    }

    /**
     * The owner's view of this job.
     *
     * @return the API representation
     */
    public JobView view() {
        return new JobView(id, filename, contentType, size, sha256, state, progress, durationSeconds, videoFid,
                mp3Fid, mp3Size, mp3Sha256, bitrate, quality, attempts, error, createdAt, updatedAt, expiresAt,
                videoExpiresAt, streaming);
    }

    /**
     * The queue message that points at this job.
     *
     * @return the message
     */
    public JobMessage message() {
        return new JobMessage(id, videoFid, mp3Fid, ownerEmail);
    }
}
