package dev.mp3conv.server.notify;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

import com.mongodb.client.model.Projections;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.mp3conv.server.storage.Await;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;

/**
 * A user's webhook, kept on their document in {@code users} (owned by the auth role; this only adds
 * the fields {@code webhook_url} and {@code webhook_secret}).
 */
final class UserWebhooks {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MongoCollection<Document> users;

    UserWebhooks(MongoDatabase database) {
        this.users = database.getCollection("users");
    }

    /**
     * Sets a user's webhook with a fresh signing secret.
     *
     * @param userId user id
     * @param url    where to POST
     * @return the webhook with its secret, empty when the user does not exist
     */
    Optional<Webhook> store(String userId, String url) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        boolean matched = Await.first(users.updateOne(byId(userId),
                        combine(set("webhook_url", url), set("webhook_secret", secret))))
                .map(r -> r.getMatchedCount() > 0).orElse(false);
        return matched ? Optional.of(new Webhook(url, secret)) : Optional.empty();
    }

    /**
     * Removes a user's webhook.
     *
     * @param userId user id
     * @return whether there was one
     */
    boolean remove(String userId) {
        return Await.first(users.updateOne(byId(userId), combine(unset("webhook_url"), unset("webhook_secret"))))
                .map(r -> r.getModifiedCount() > 0).orElse(false);
    }

    /**
     * A user's webhook.
     *
     * @param userId user id
     * @return the webhook, empty when none is set
     */
    Optional<Webhook> find(String userId) {
        return Await.first(users.find(byId(userId))
                        .projection(Projections.include("webhook_url", "webhook_secret")).first())
                .filter(doc -> doc.getString("webhook_url") != null && doc.getString("webhook_secret") != null)
                .map(doc -> new Webhook(doc.getString("webhook_url"), doc.getString("webhook_secret")));
    }

    private static Bson byId(String userId) {
        return eq("_id", ObjectId.isValid(userId) ? new ObjectId(userId) : userId);
    }

    /**
     * A webhook target.
     *
     * @param url    where to POST
     * @param secret HMAC-SHA256 key of the signature
     */
    record Webhook(String url, String secret) {
        @Override
        public String toString() {
            return "Webhook[" + url + "]";
        }
    }
}
