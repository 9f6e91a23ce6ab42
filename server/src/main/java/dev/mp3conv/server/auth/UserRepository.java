package dev.mp3conv.server.auth;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;

/**
 * The {@code users} collection. Email uniqueness rests on a unique index (the one kind of index the
 * embedded stand-in enforces), so two registrations racing for one email cannot both win.
 */
final class UserRepository {
    private static final String TOKEN_EPOCH = "token_epoch";
    private final DocumentCollection users;

    UserRepository(Mongo store) {
        this.users = store.collection("users");
        users.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true).name("email_unique"));
    }

    /**
     * Stores a new user.
     *
     * @param user the user; its id is ignored and a new one assigned
     * @return the stored user
     * @throws DuplicateEmailException when the email is taken
     */
    User insert(User user) {
        ObjectId id = new ObjectId();
        // the store keeps milliseconds: answer what a later read returns, like every other timestamp
        Instant created = user.createdAt().truncatedTo(ChronoUnit.MILLIS);
        Document doc = new Document("_id", id)
                .append("email", user.email())
                .append("password_hash", user.passwordHash())
                .append("admin", user.admin())
                .append("created_at", Date.from(created))
                .append(TOKEN_EPOCH, user.tokenEpoch());
        try {
            users.insertOne(doc);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                throw new DuplicateEmailException();
            }
            throw e;
        }
        return new User(id.toHexString(), user.email(), user.passwordHash(), user.admin(), created,
                user.tokenEpoch());
    }

    Optional<User> findByEmail(String email) {
        return users.find(eq("email", email)).first().map(UserRepository::toUser);
    }

    Optional<User> findById(String id) {
        if (!ObjectId.isValid(id)) {
            return Optional.empty();
        }
        return users.find(eq("_id", new ObjectId(id))).first().map(UserRepository::toUser);
    }

    List<User> list() {
        return users.find().sort(Sorts.ascending("email")).list().stream().map(UserRepository::toUser).toList();
    }

    boolean delete(String email) {
        return users.deleteOne(eq("email", email)).getDeletedCount() > 0;
    }

    /**
     * Replaces a password hash and raises the token epoch, which revokes the user's earlier tokens.
     *
     * @return the user as changed, empty when no user has this email
     */
    Optional<User> setPasswordHash(String email, String hash) {
        return users.findOneAndUpdate(eq("email", email),
                        combine(set("password_hash", hash), inc(TOKEN_EPOCH, 1L)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
                .map(UserRepository::toUser);
    }

    /**
     * The current token epoch of a user, read for every verifier's cache.
     *
     * @param id user id
     * @return the epoch, empty when there is no such user
     */
    OptionalLong tokenEpoch(String id) {
        if (!ObjectId.isValid(id)) {
            return OptionalLong.empty();
        }
        return users.find(eq("_id", new ObjectId(id))).projection(Projections.include(TOKEN_EPOCH)).first()
                .map(doc -> OptionalLong.of(epoch(doc))).orElse(OptionalLong.empty());
    }

    private static long epoch(Document doc) {
        // accounts created before epochs existed have none: epoch 0
        return doc.get(TOKEN_EPOCH) instanceof Number n ? n.longValue() : 0L;
    }

    private static User toUser(Document doc) {
        return new User(doc.getObjectId("_id").toHexString(), doc.getString("email"), doc.getString("password_hash"),
                doc.getBoolean("admin", false), doc.getDate("created_at").toInstant(), epoch(doc));
    }

    /** The email is already registered. */
    static final class DuplicateEmailException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuplicateEmailException() {
            super("email already registered", null, false, false);
        }
    }
}
