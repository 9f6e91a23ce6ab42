package dev.mp3conv.server.auth;

import java.time.Instant;

import dev.mp3conv.model.UserView;
import dev.mp3conv.server.jobs.StorageQuota;

/**
 * A stored user.
 *
 * @param id           user id (the tokens' {@code sub})
 * @param email        trimmed, lower-cased, unique
 * @param passwordHash argon2id hash in PHC form, never logged or sent
 * @param admin        whether the user is an administrator
 * @param createdAt    when the account was created
 * @param tokenEpoch   raised by a password change; tokens carry the epoch they were issued in ({@link TokenEpochs})
 */
record User(String id, String email, String passwordHash, boolean admin, Instant createdAt, long tokenEpoch) {
    UserView view(StorageQuota.Usage storage) {
        return new UserView(id, email, admin, createdAt, storage.used(), storage.unlimited() ? null : storage.quota());
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", email=" + email + ", admin=" + admin + ", passwordHash=***]";
    }
}
