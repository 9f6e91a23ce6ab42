package dev.mp3conv.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Body of the {@code video} and {@code mp3} queue messages: a superset of the course
 * system's {@code {"video_fid", "mp3_fid", "username"}}. The jobs collection is the
 * source of truth; the message only points at the job.
 *
 * @param jobId    job id
 * @param videoFid blob id of the upload
 * @param mp3Fid   blob id of the MP3, null on {@code video} messages
 * @param username owner's email
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobMessage(String jobId, String videoFid, String mp3Fid, String username) {
}
