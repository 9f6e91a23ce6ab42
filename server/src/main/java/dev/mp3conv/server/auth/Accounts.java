package dev.mp3conv.server.auth;

import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.mp3conv.server.http.ProblemException;

/**
 * Creating users and changing passwords, with the one email rule and password policy that the API,
 * the admin bootstrap and the {@code user} subcommand share.
 */
final class Accounts {
    static final int MIN_PASSWORD_LENGTH = 10;
    /** Bounds the hashing work one request can ask for. */
    static final int MAX_PASSWORD_LENGTH = 1024;
    private static final String TAKEN = "an account with this email already exists";
    /**
     * Allow-list: visible characters only (letters, marks, digits, punctuation, symbols). Controls (NUL,
     * ESC, CR/LF), format characters (bidi overrides and isolates, zero-width characters, BOM), line and
     * paragraph separators, spaces, unassigned code points and lone surrogates are refused: an email is
     * shown to people and written to logs and mail headers.
     */
    private static final Pattern EMAIL = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}&&[^@]]+@[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}&&[^@]]+");

    private final UserRepository users;
    private final PasswordHasher hasher;
    private final Clock clock;

    Accounts(UserRepository users, PasswordHasher hasher, Clock clock) {
        this.users = users;
        this.hasher = hasher;
        this.clock = clock;
    }

    /**
     * Creates a user.
     *
     * @throws ProblemException 400 for a malformed email or a weak password, 409 when the email is taken
     */
    User register(String email, String password, boolean admin) {
        String normalized = validEmail(email);
        String valid = validPassword(password);
        // a hash costs ~55 ms of CPU: a taken email is answered without spending one (the unique
        // index still decides a race between two registrations)
        if (users.findByEmail(normalized).isPresent()) {
            throw ProblemException.conflict(TAKEN);
        }
        String hash = hasher.hash(valid);
        try {
            return users.insert(new User(null, normalized, hash, admin, clock.instant(), 0));
        } catch (UserRepository.DuplicateEmailException e) {
            throw ProblemException.conflict(TAKEN);
        }
    }

    /**
     * Replaces a password and raises the user's token epoch, so tokens issued before stop working.
     *
     * @return the changed user, empty when no user has this email
     * @throws ProblemException 400 for a weak password
     */
    Optional<User> setPassword(String email, String password) {
        String hash = hasher.hash(validPassword(password));
        return users.setPasswordHash(normalize(email), hash);
    }

    /** Creates the configured first admin unless a user with that email exists. */
    Optional<User> bootstrapAdmin(String email, String password) {
        if (users.findByEmail(normalize(email)).isPresent()) {
            return Optional.empty();
        }
        try {
            return Optional.of(register(email, password, true));
        } catch (ProblemException e) {
            if (e.status().code() == 409) {
                return Optional.empty(); // another replica created it a moment ago
            }
            throw e;
        }
    }

    /** Trimmed and lower-cased, the form stored and looked up. */
    static String normalize(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }

    static String validEmail(String email) {
        String normalized = normalize(email);
        if (normalized.length() > 254 || !EMAIL.matcher(normalized).matches()) {
            throw ProblemException.badRequest("email must be an address like name@example.com");
        }
        return normalized;
    }

    static String validPassword(String password) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD_LENGTH) {
            throw ProblemException.badRequest("password must be at least " + MIN_PASSWORD_LENGTH + " characters long");
        }
        if (length > MAX_PASSWORD_LENGTH) {
            throw ProblemException.badRequest("password must be at most " + MAX_PASSWORD_LENGTH + " characters long");
        }
        return password;
    }
}
