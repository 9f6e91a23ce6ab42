package dev.mp3conv.server.auth;

/**
 * The authenticated caller of a request, from a verified token.
 *
 * @param userId user id ({@code sub})
 * @param email  user email
 * @param admin  whether the user is an administrator
 */
public record Principal(String userId, String email, boolean admin) {
}
