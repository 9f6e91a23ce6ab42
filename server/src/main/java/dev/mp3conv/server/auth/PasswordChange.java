package dev.mp3conv.server.auth;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /api/v1/users/me/password}.
 *
 * @param currentPassword the password the caller has now
 * @param newPassword     the one that replaces it
 */
record PasswordChange(@JsonProperty("current_password") String currentPassword,
                      @JsonProperty("new_password") String newPassword) {
    @Override
    public String toString() {
        return "PasswordChange[***]";
    }
}
