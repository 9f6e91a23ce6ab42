package dev.mp3conv.server.notify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.mp3conv.server.StartupException;

/**
 * Encrypts webhook secrets at rest with AES-256-GCM (the JDK's provider), so a copy of the users
 * collection does not let anyone forge a user's webhook signatures. Each value is {@code v1:} and the
 * base64 of a fresh 12-byte nonce followed by the ciphertext and its 16-byte tag; the user id is the
 * associated data, so a value moved to another user's document does not decrypt.
 *
 * <p>The key comes from {@code webhooks.secret-key} (base64 of 32 bytes; the chart generates it into a
 * Secret on install and keeps it on upgrade) or, without it, is generated once under the data directory
 * ({@value #GENERATED_KEY_FILE}, mode 0600), as the token signing key is. Gateways (which store secrets)
 * and notifiers (which use them) must share it.
 */
final class WebhookSecretCipher {
    static final String GENERATED_KEY_FILE = "notify/webhook-secret.key";
    private static final System.Logger LOG = System.getLogger(WebhookSecretCipher.class.getName());
    private static final String PREFIX = "v1:";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;

    WebhookSecretCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the key must be 32 bytes (AES-256), not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The key the settings name, or the one generated under the data directory.
     *
     * @param configured {@code webhooks.secret-key}, base64
     * @param dataDir    data directory
     * @param embedded   whether the store is the embedded one (else a generated key earns a warning)
     * @return the cipher
     * @throws StartupException when the key cannot be read or kept
     */
    static WebhookSecretCipher load(Optional<String> configured, Path dataDir, boolean embedded) {
        if (configured.isPresent()) {
            try {
                return new WebhookSecretCipher(Base64.getDecoder().decode(configured.get().strip()));
            } catch (IllegalArgumentException e) {
                throw new StartupException("webhooks.secret-key (WEBHOOKS_SECRET_KEY): not the base64 of 32 bytes ("
                        + e.getMessage() + "); make one with: openssl rand -base64 32");
            }
        }
        Path file = dataDir.resolve(GENERATED_KEY_FILE);
        if (!embedded) {
            LOG.log(System.Logger.Level.WARNING, "no WEBHOOKS_SECRET_KEY: webhook secrets are encrypted with a key "
                    + "generated in {0}; gateways and notifiers on other machines need the same key through WEBHOOKS_SECRET_KEY",
                    file);
        }
        return new WebhookSecretCipher(generatedKey(file));
    }

    private static byte[] generatedKey(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            }
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path temp = Files.createTempFile(file.getParent(), "webhook-secret", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
                // two processes starting at once: the first key written wins, the other reads it
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            } finally {
                Files.deleteIfExists(temp);
            }
            LOG.log(System.Logger.Level.INFO, "generated the webhook secret key in {0}", file);
            return key;
        } catch (IOException e) {
            throw new StartupException("cannot keep the webhook secret key in " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StartupException("the webhook secret key in " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts a user's secret.
     *
     * @param userId owner, bound to the value
     * @param secret the secret
     * @return the stored form
     */
    String encrypt(String userId, String secret) {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(userId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE + sealed.length)
                    .put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * Decrypts a stored secret.
     *
     * @param userId owner the value was bound to
     * @param stored the stored form
     * @return the secret, empty when the value is not ours (another key, another user, altered)
     */
    Optional<String> decrypt(String userId, String stored) {
        if (!stored.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            if (all.length <= NONCE) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE));
            cipher.updateAAD(userId.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }
}
