package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;

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
 * @param streaming        for an upload: converted while it arrives or after, and why; or null (a job from before issue 24)
 * @param audioOptions     the audio options asked besides bitrate and quality, as their form fields
 *                         ({@link Mp3Options#fields()}); read through {@link #options()}
 * @param loudness         what loudness normalisation measured, once it ran
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
                  JobStreaming streaming,
                  Map<String, String> audioOptions,
                  LoudnessReport loudness) {

    /** Keeps the options map immutable and never null. */
    public Job {
        audioOptions = audioOptions == null ? Map.of() : Map.copyOf(audioOptions);
    }

    /**
     * A job without audio options or loudness measurements.
     *
     * @param id               ObjectId in hex
     * @param owner            owning user id
     * @param ownerEmail       owner's email
     * @param filename         original file name
     * @param contentType      content type
     * @param size             upload size
     * @param sha256           hex SHA-256 of the upload
     * @param videoFid         blob id of the upload
     * @param state            state
     * @param attempts         attempts
     * @param leaseUntil       lease end
     * @param leaseOwner       lease holder
     * @param progress         0..1
     * @param durationSeconds  duration
     * @param mp3Fid           MP3 blob id
     * @param mp3Size          MP3 size
     * @param mp3Sha256        MP3 SHA-256
     * @param bitrate          bitrate
     * @param quality          quality
     * @param error            error
     * @param videoPublishedAt video message confirmed
     * @param mp3PublishedAt   mp3 message confirmed
     * @param notifiedAt       notified
     * @param notifyChannel    notification channel
     * @param notifyError      notification error
     * @param createdAt        created
     * @param updatedAt        updated
     * @param keep             retention asked
     * @param videoExpiresAt   video deletion time
     * @param expiresAt        expiry
     * @param videoDeletedAt   video deleted
     * @param expiredAt        expired
     * @param streaming        streaming decision, or null
     */
    public Job(String id, String owner, String ownerEmail, String filename, String contentType, long size,
               String sha256, String videoFid, JobState state, int attempts, Instant leaseUntil, String leaseOwner,
               double progress, Double durationSeconds, String mp3Fid, Long mp3Size, String mp3Sha256, String bitrate,
               Integer quality, JobError error, Instant videoPublishedAt, Instant mp3PublishedAt, Instant notifiedAt,
               String notifyChannel, JobError notifyError, Instant createdAt, Instant updatedAt, Duration keep,
               Instant videoExpiresAt, Instant expiresAt, Instant videoDeletedAt, Instant expiredAt,
               JobStreaming streaming) {
        this(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, state, attempts, leaseUntil,
                leaseOwner, progress, durationSeconds, mp3Fid, mp3Size, mp3Sha256, bitrate, quality, error,
                videoPublishedAt, mp3PublishedAt, notifiedAt, notifyChannel, notifyError, createdAt, updatedAt, keep,
                videoExpiresAt, expiresAt, videoDeletedAt, expiredAt, streaming, Map.of(), null);
    }

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
        // as given, unchecked: the converter holds stored values to the rule (Mp3Encoding)
        return new Job(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, JobState.QUEUED, 0,
                null, null, 0.0, null, null, null, null, bitrate, quality, null, null, null, null, null, null, now, now,
                keep, null, null, null, null, null, Map.of(), null);
    }

    /**
     * A new QUEUED job with the options its owner asked for.
     *
     * @param id          job id
     * @param owner       user id
     * @param ownerEmail  user email
     * @param filename    sanitised file name
     * @param contentType upload content type
     * @param size        bytes
     * @param sha256      hex digest
     * @param videoFid    blob id
     * @param options     encoding and audio options
     * @param keep        retention asked by the owner, or null for the server's
     * @param now         creation time
     * @return the job
     */
    public static Job queuedWith(String id, String owner, String ownerEmail, String filename, String contentType,
                                 long size, String sha256, String videoFid, Mp3Options options, Duration keep,
                                 Instant now) {
        return new Job(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, JobState.QUEUED, 0,
                null, null, 0.0, null, null, null, null, options.bitrate(), options.quality(), null, null, null, null,
                null, null, now, now, keep, null, null, null, null, null, audioFields(options), null);
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
                keep, null, null, null, null, null, Map.of(), null);
    }

    /**
     * A new UPLOADING job with the options its owner asked for.
     *
     * @param id          job id, also the upload's id
     * @param owner       user id
     * @param ownerEmail  user email
     * @param filename    sanitised file name
     * @param contentType upload content type
     * @param length      declared length in bytes
     * @param videoFid    id of the resumable blob write
     * @param options     encoding and audio options
     * @param keep        retention asked by the owner, or null for the server's
     * @param now         creation time
     * @return the job
     */
    public static Job uploadingWith(String id, String owner, String ownerEmail, String filename, String contentType,
                                    long length, String videoFid, Mp3Options options, Duration keep, Instant now) {
        return new Job(id, owner, ownerEmail, filename, contentType, length, null, videoFid, JobState.UPLOADING, 0,
                null, null, 0.0, null, null, null, null, options.bitrate(), options.quality(), null, null, null, null,
                null, null, now, now, keep, null, null, null, null, null, audioFields(options), null);
    }

    /**
     * The options this job asked for, held to the one rule again (a job stored by an older gateway or
     * edited in the store may not keep it). Meaningful until the job is DONE: then {@link #bitrate()} is
     * the bitrate written, which a stream copy takes from its source.
     *
     * @return the options
     * @throws IllegalArgumentException when a stored value breaks the rule
     */
    public Mp3Options options() {
        Mp3Options audio = Mp3Options.fromFields(audioOptions);
        return audio.withEncoding(bitrate, quality);
    }

    /**
     * The same job with loudness measurements.
     *
     * @param report what was measured
     * @return the job
     */
    public Job withLoudness(LoudnessReport report) {
        return new Job(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, state, attempts,
                leaseUntil, leaseOwner, progress, durationSeconds, mp3Fid, mp3Size, mp3Sha256, bitrate, quality, error,
                videoPublishedAt, mp3PublishedAt, notifiedAt, notifyChannel, notifyError, createdAt, updatedAt, keep,
                videoExpiresAt, expiresAt, videoDeletedAt, expiredAt, streaming, audioOptions, report);
    }

    /**
     * The same job with its streaming choice (issue 24).
     *
     * @param choice converted while it arrives or after the upload, and why
     * @return the job
     */
    public Job withStreaming(JobStreaming choice) {
        return new Job(id, owner, ownerEmail, filename, contentType, size, sha256, videoFid, state, attempts,
                leaseUntil, leaseOwner, progress, durationSeconds, mp3Fid, mp3Size, mp3Sha256, bitrate, quality, error,
                videoPublishedAt, mp3PublishedAt, notifiedAt, notifyChannel, notifyError, createdAt, updatedAt, keep,
                videoExpiresAt, expiresAt, videoDeletedAt, expiredAt, choice, audioOptions, loudness);
    }

    private static Map<String, String> audioFields(Mp3Options options) {
        Map<String, String> fields = new LinkedHashMap<>(options.fields());
        fields.remove(Mp3Options.BITRATE_FIELD);
        fields.remove(Mp3Options.QUALITY_FIELD);
        return fields;
    }

    /**
     * The owner's view of this job.
     *
     * @return the API representation
     */
    public JobView view() {
        Mp3Options audio;
        try {
            audio = Mp3Options.fromFields(audioOptions);
        } catch (IllegalArgumentException e) {
            // edited in the store: the converter fails the job for it; the view shows none of them
            audio = Mp3Options.NONE;
        }
        return new JobView(id, filename, contentType, size, sha256, state, progress, durationSeconds, videoFid,
                mp3Fid, mp3Size, mp3Sha256, bitrate, quality, audio.loudness(), audio.start(), audio.end(),
                audio.cover() ? Boolean.TRUE : null, audio.channelsName(), audio.sampleRate(), audio.title(),
                audio.artist(), loudness, attempts, error, createdAt, updatedAt, expiresAt, videoExpiresAt, streaming);
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
