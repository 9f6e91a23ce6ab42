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
 * @param segment  on {@code video} messages for one segment of a long job (converted in parts):
 *                 the segment's index, the stitch step being the index after the last part; null
 *                 (and absent from the JSON) for a whole job
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobMessage(String jobId, String videoFid, String mp3Fid, String username, Integer segment) {
    /**
     * A message for a whole job.
     *
     * @param jobId    job id
     * @param videoFid blob id of the upload
     * @param mp3Fid   blob id of the MP3, null on {@code video} messages
     * @param username owner's email
     */
    public JobMessage(String jobId, String videoFid, String mp3Fid, String username) {
        this(jobId, videoFid, mp3Fid, username, null);
    }

    /**
     * The message for one segment (or the stitch step) of this job.
     *
     * @param index segment index
     * @return the message
     */
    public JobMessage forSegment(int index) {
        return new JobMessage(jobId, videoFid, null, username, index);
    }
}
