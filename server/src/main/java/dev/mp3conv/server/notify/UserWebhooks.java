package dev.mp3conv.server.notify;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import com.mongodb.client.model.Projections;
import dev.mp3conv.server.storage.DocumentCollection;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.unset;

/**
 * A user's webhook, kept on their document in {@code users} (owned by the auth role; this only adds
 * the fields {@code webhook_url} and {@code webhook_secret}). The secret is stored encrypted
 * ({@link WebhookSecretCipher}); one stored in plaintext by an earlier version is encrypted in place
 * the first time it is read.
 */
final class UserWebhooks {
    private static final System.Logger LOG = System.getLogger(UserWebhooks.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern LEGACY_SECRET = Pattern.compile("[0-9a-f]{64}");

    private final DocumentCollection users;
    private final WebhookSecretCipher cipher;

    UserWebhooks(Mongo store, WebhookSecretCipher cipher) {
        this.users = store.collection("users");
        this.cipher = cipher;
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
        boolean matched = users.updateOne(byId(userId),
                combine(set("webhook_url", url), set("webhook_secret", cipher.encrypt(userId, secret))))
                .getMatchedCount() > 0;
        return matched ? Optional.of(new Webhook(url, secret)) : Optional.empty();
    }

    /**
     * Removes a user's webhook.
     *
     * @param userId user id
     * @return whether there was one
     */
    boolean remove(String userId) {
        return users.updateOne(byId(userId), combine(unset("webhook_url"), unset("webhook_secret")))
                .getModifiedCount() > 0;
    }

    /**
     * A user's webhook.
     *
     * @param userId user id
     * @return the webhook, empty when none is set
     */
    Optional<Webhook> find(String userId) {
        Optional<Document> found = users.find(byId(userId))
                        .projection(Projections.include("webhook_url", "webhook_secret")).first()
                .filter(doc -> doc.getString("webhook_url") != null && doc.getString("webhook_secret") != null);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        String url = found.get().getString("webhook_url");
        String stored = found.get().getString("webhook_secret");
        if (LEGACY_SECRET.matcher(stored).matches()) {
            // written in plaintext before secrets were encrypted: encrypt it now, only if still the same value
            users.updateOne(and(byId(userId), eq("webhook_secret", stored)),
                    set("webhook_secret", cipher.encrypt(userId, stored)));
            return Optional.of(new Webhook(url, stored));
        }
        Optional<String> secret = cipher.decrypt(userId, stored);
        if (secret.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "the webhook secret of user {0} does not decrypt with this key "
                    + "(WEBHOOKS_SECRET_KEY differs between gateway and notifier, or the key changed); the webhook is not called",
                    userId);
        }
        return secret.map(s -> new Webhook(url, s));
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
