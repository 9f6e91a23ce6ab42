package dev.mp3conv.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Body of {@code POST /api/v1/users} and {@code POST /api/v1/auth/token}.
 *
 * @param email    the account's email
 * @param password the password, never logged
 */
public record Credentials(String email, String password) {
    /** Fewest characters (code points) of a new password. */
    public static final int MIN_PASSWORD_LENGTH = 10;
    /** Most characters (code points) of a password. */
    public static final int MAX_PASSWORD_LENGTH = 1024;
    private static final int MAX_EMAIL_LENGTH = 254;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    /**
     * What is wrong with an email for a new account, so the CLI can say so before asking for a
     * password (the auth role applies the same rule).
     *
     * @param email the address as typed
     * @return one line for the user, empty when the address is acceptable
     */
    public static Optional<String> emailProblem(String email) {
        String address = email == null ? "" : email.strip();
        return address.length() <= MAX_EMAIL_LENGTH && EMAIL.matcher(address).matches() ? Optional.empty()
                : Optional.of("email must be an address like name@example.com");
    }

    /**
     * What is wrong with a new password's length.
     *
     * @param password the password
     * @return one line for the user, empty when its length is acceptable
     */
    public static Optional<String> passwordProblem(String password) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_LENGTH) {
            return Optional.of("password must be at least " + MIN_PASSWORD_LENGTH + " characters long");
        }
        return length > MAX_PASSWORD_LENGTH
                ? Optional.of("password must be at most " + MAX_PASSWORD_LENGTH + " characters long") : Optional.empty();
    }

    @Override
    public String toString() {
        return "Credentials[email=" + email + ", password=***]";
    }
}
