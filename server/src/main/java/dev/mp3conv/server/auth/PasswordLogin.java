package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import dev.mp3conv.server.http.ProblemException;

/**
 * Email + password → token, shared by {@code POST /api/v1/auth/token} and the seed's {@code POST /login}.
 * Throttled per email and per client address; an unknown email costs one argon2id verification like a
 * known one, and both failures answer the same 401.
 */
final class PasswordLogin {
    private final UserRepository users;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final LoginThrottle perEmail;
    private final LoginThrottle perAddress;

    PasswordLogin(UserRepository users, PasswordHasher hasher, TokenIssuer issuer,
                  LoginThrottle perEmail, LoginThrottle perAddress) {
        this.users = users;
        this.hasher = hasher;
        this.issuer = issuer;
        this.perEmail = perEmail;
        this.perAddress = perAddress;
    }

    /**
     * Checks a password and issues a token.
     *
     * @param email         as typed
     * @param password      as typed
     * @param clientAddress the caller's address
     * @return the token
     * @throws ProblemException 401 {@code invalid credentials}, 429 with Retry-After when throttled
     */
    TokenIssuer.IssuedToken login(String email, String password, String clientAddress) {
        String key = Accounts.normalize(email);
        String address = "address:" + clientAddress;
        Optional<Duration> wait = Stream.of(perEmail.lockedFor(key), perAddress.lockedFor(address))
                .flatMap(Optional::stream).max(Duration::compareTo);
        if (wait.isPresent()) {
            throw ProblemException.tooManyRequests("too many failed logins; try again later", wait.get());
        }
        String typed = password == null ? "" : password;
        Optional<User> user = users.findByEmail(key);
        boolean matches;
        if (user.isPresent()) {
            matches = hasher.matches(typed, user.get().passwordHash());
        } else {
            hasher.matchesNothing(typed);
            matches = false;
        }
        if (!matches) {
            perEmail.failed(key);
            perAddress.failed(address);
            throw ProblemException.unauthorized("invalid credentials");
        }
        // the address counter is left alone: one good account must not reset a spray over many emails
        perEmail.succeeded(key);
        return issuer.issue(user.get());
    }
}
