package dev.mp3conv.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One Server-Sent Event of {@code GET /api/v1/jobs/{id}/events}: the job's state and progress.
 *
 * @param jobId    job id
 * @param state    state now
 * @param progress progress now, 0..1
 * @param error    failure reason when FAILED
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobEvent(String jobId, JobState state, double progress, JobError error) {
}
