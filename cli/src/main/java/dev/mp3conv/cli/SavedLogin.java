package dev.mp3conv.cli;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What {@code mp3conv login} remembers in {@code config.json}.
 *
 * @param server      server URL the token was issued by
 * @param email       account email
 * @param accessToken bearer token, absent after {@code logout}
 * @param expiresAt   when the token expires, if the server said
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record SavedLogin(String server, String email, String accessToken, Instant expiresAt) {
    SavedLogin withoutToken() {
        return new SavedLogin(server, email, null, null);
    }

    boolean hasToken() {
        return accessToken != null && !accessToken.isBlank();
    }

    @Override
    public String toString() {
        return "SavedLogin[server=" + server + ", email=" + email + ", accessToken=***, expiresAt=" + expiresAt + "]";
    }
}
