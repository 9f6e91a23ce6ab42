package dev.mp3conv.model;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A user as the API shows it (never with the password hash).
 *
 * @param id        user id
 * @param email     lower-cased email
 * @param admin     whether the user is an administrator
 * @param createdAt when the account was created
 * @param storageUsed  bytes the user's videos, MP3s and unfinished uploads take
 * @param storageQuota the most the user may store, or null for no limit
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UserView(String id, String email, boolean admin, Instant createdAt, long storageUsed, Long storageQuota) {
}
