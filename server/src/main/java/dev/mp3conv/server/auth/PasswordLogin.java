package dev.mp3conv.server.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import dev.mp3conv.server.http.ProblemException;

/**
 * Email + password → token, shared by {@code POST /api/v1/auth/token} and the seed's {@code POST /login};
 * and the password change, which checks the current password the same way. Throttled per email and per
 * client address; an unknown email costs one argon2id verification like a known one, and both failures
 * answer the same 401.
 */
final class PasswordLogin {
    private final UserRepository users;
    private final Accounts accounts;
    private final PasswordHasher hasher;
    private final TokenIssuer issuer;
    private final TokenEpochs epochs;
    private final LoginThrottle perEmail;
    private final LoginThrottle perAddress;

    PasswordLogin(UserRepository users, Accounts accounts, PasswordHasher hasher, TokenIssuer issuer, TokenEpochs epochs,
                  LoginThrottle perEmail, LoginThrottle perAddress) {
        this.users = users;
        this.accounts = accounts;
        this.hasher = hasher;
        this.issuer = issuer;
        this.epochs = epochs;
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
        refuseWhileLocked(key, address);
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

    /**
     * Replaces the caller's password once the current one is proven; the user's earlier tokens, the
     * caller's included, stop working at once in this process (and within the revocation cache TTL in
     * others). A wrong current password counts as a failed login: it is a guess like any other.
     *
     * @param caller        the authenticated caller
     * @param change        current and new password
     * @param clientAddress the caller's address
     * @throws ProblemException 400 for a weak new password, 403 for a wrong current one, 429 when throttled
     */
    void changePassword(Principal caller, PasswordChange change, String clientAddress) {
        User user = users.findById(caller.userId())
                .orElseThrow(() -> ProblemException.unauthorized("the account of this token no longer exists"));
        String address = "address:" + clientAddress;
        refuseWhileLocked(user.email(), address);
        Accounts.validPassword(change.newPassword());
        String current = change.currentPassword() == null ? "" : change.currentPassword();
        if (!hasher.matches(current, user.passwordHash())) {
            perEmail.failed(user.email());
            perAddress.failed(address);
            throw ProblemException.forbidden("the current password is wrong");
        }
        User changed = accounts.setPassword(user.email(), change.newPassword())
                .orElseThrow(() -> ProblemException.unauthorized("the account of this token no longer exists"));
        epochs.changed(changed.id(), changed.tokenEpoch());
    }

    private void refuseWhileLocked(String emailKey, String address) {
        Optional<Duration> wait = Stream.of(perEmail.lockedFor(emailKey), perAddress.lockedFor(address))
                .flatMap(Optional::stream).max(Duration::compareTo);
        if (wait.isPresent()) {
            throw ProblemException.tooManyRequests("too many failed logins; try again later", wait.get());
        }
    }
}
