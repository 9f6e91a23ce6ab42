package dev.mp3conv.model;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A job as the API shows it to its owner.
 *
 * @param id              job id
 * @param filename        original file name, sanitised
 * @param contentType     content type of the upload
 * @param size            upload size in bytes (while UPLOADING: the declared length)
 * @param sha256          hex SHA-256 of the upload
 * @param state           current state
 * @param progress        0..1: bytes received / total while UPLOADING, then conversion progress
 * @param durationSeconds duration of the source audio, once probed
 * @param videoFid        blob id of the upload
 * @param mp3Fid          blob id of the MP3 once DONE (the seed's {@code /download?fid=})
 * @param mp3Size         MP3 size in bytes once DONE
 * @param mp3Sha256       hex SHA-256 of the MP3 once DONE (also sent as {@code Repr-Digest} with it)
 * @param bitrate         CBR bitrate asked, e.g. {@code 192k}
 * @param quality         VBR quality asked, 0 (best) to 9
 * @param loudness        loudness target asked, LUFS
 * @param start           trim asked: where the MP3 starts in the source, seconds
 * @param end             trim asked: where the MP3 ends in the source, seconds
 * @param cover           true when cover art was asked
 * @param channels        {@code mono} or {@code stereo} when asked
 * @param sampleRate      sample rate asked, Hz
 * @param title           title asked instead of the source's
 * @param artist          artist asked instead of the source's
 * @param measuredLoudness what loudness normalisation measured (input, gain, output)
 * @param attempts        conversion attempts so far
 * @param error           failure reason when FAILED
 * @param createdAt       when the upload finished
 * @param updatedAt       last change
 * @param expiresAt       once the job ended: when its MP3 and the job expire (410 Gone afterwards)
 * @param videoExpiresAt  once the job ended: when its source video is deleted
 * @param streaming       for a resumable upload once its first bytes were judged: converted while it
 *                        arrives or after it, and why; null otherwise
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobView(String id,
                      String filename,
                      String contentType,
                      long size,
                      String sha256,
                      JobState state,
                      double progress,
                      Double durationSeconds,
                      String videoFid,
                      String mp3Fid,
                      Long mp3Size,
                      String mp3Sha256,
                      String bitrate,
                      Integer quality,
                      Double loudness,
                      Double start,
                      Double end,
                      Boolean cover,
                      String channels,
                      Integer sampleRate,
                      String title,
                      String artist,
                      LoudnessReport measuredLoudness,
                      int attempts,
                      JobError error,
                      Instant createdAt,
                      Instant updatedAt,
                      Instant expiresAt,
                      Instant videoExpiresAt,
                      JobStreaming streaming) {
    /**
     * A view without audio options or loudness measurements (a job that asked for none).
     *
     * @param id              job id
     * @param filename        original file name
     * @param contentType     content type of the upload
     * @param size            upload size in bytes
     * @param sha256          hex SHA-256 of the upload
     * @param state           current state
     * @param progress        0..1
     * @param durationSeconds duration of the source audio
     * @param videoFid        blob id of the upload
     * @param mp3Fid          blob id of the MP3
     * @param mp3Size         MP3 size in bytes
     * @param mp3Sha256       hex SHA-256 of the MP3
     * @param bitrate         CBR bitrate asked
     * @param quality         VBR quality asked
     * @param attempts        conversion attempts so far
     * @param error           failure reason
     * @param createdAt       when the upload finished
     * @param updatedAt       last change
     * @param expiresAt       when the MP3 and the job expire
     * @param videoExpiresAt  when the source video is deleted
     * @param streaming       how a resumable upload was converted, or null
     */
    public JobView(String id, String filename, String contentType, long size, String sha256, JobState state,
                   double progress, Double durationSeconds, String videoFid, String mp3Fid, Long mp3Size,
                   String mp3Sha256, String bitrate, Integer quality, int attempts, JobError error, Instant createdAt,
                   Instant updatedAt, Instant expiresAt, Instant videoExpiresAt, JobStreaming streaming) {
        this(id, filename, contentType, size, sha256, state, progress, durationSeconds, videoFid, mp3Fid, mp3Size,
                mp3Sha256, bitrate, quality, null, null, null, null, null, null, null, null, null, attempts, error,
                createdAt, updatedAt, expiresAt, videoExpiresAt, streaming);
    }
}
