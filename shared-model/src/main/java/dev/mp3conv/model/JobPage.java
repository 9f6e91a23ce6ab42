package dev.mp3conv.model;

import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One page of the caller's jobs, newest first.
 *
 * @param items      the jobs on this page
 * @param nextCursor cursor for the next page, absent on the last page
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobPage(List<JobView> items, String nextCursor) {
    /**
     * Defensive copy of the items.
     */
    public JobPage {
        items = List.copyOf(items);
    }
}
