package dev.mp3conv.model;

/**
 * Body of {@code POST /api/v1/users} and {@code POST /api/v1/auth/token}.
 *
 * @param email    the account's email
 * @param password the password, never logged
 */
public record Credentials(String email, String password) {
    @Override
    public String toString() {
        return "Credentials[email=" + email + ", password=***]";
    }
}
