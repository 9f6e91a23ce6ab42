package dev.mp3conv.server.notify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import dev.mp3conv.server.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSecretCipherTest {
    private static final String USER = "65f0c0ffee0000000000abcd";
    private static final String SECRET = "0123456789abcdef".repeat(4);

    @TempDir
    Path dataDir;

    @Test
    void roundTripsAndNeverStoresThePlaintext() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(new byte[32]);
        String sealed = cipher.encrypt(USER, SECRET);
        assertThat(sealed).startsWith("v1:").doesNotContain(SECRET);
        assertThat(cipher.encrypt(USER, SECRET)).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(cipher.decrypt(USER, sealed)).hasValue(SECRET);
    }

    @Test
    void anotherKeyAnotherUserOrAnAlteredValueDoesNotDecrypt() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(new byte[32]);
        String sealed = cipher.encrypt(USER, SECRET);
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        assertThat(new WebhookSecretCipher(otherKey).decrypt(USER, sealed)).isEmpty();
        assertThat(cipher.decrypt("65f0c0ffee0000000000abce", sealed)).isEmpty();
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        assertThat(cipher.decrypt(USER, "v1:" + Base64.getEncoder().encodeToString(raw))).isEmpty();
        assertThat(cipher.decrypt(USER, "v1:%%%")).isEmpty();
        assertThat(cipher.decrypt(USER, "v1:AAAA")).isEmpty();
        assertThat(cipher.decrypt(USER, SECRET)).as("plaintext is not taken for a sealed value").isEmpty();
    }

    @Test
    void aGeneratedKeyIsOwnerOnlyAndReusedAfterARestart() throws Exception {
        String sealed = WebhookSecretCipher.load(Optional.empty(), dataDir, true).encrypt(USER, SECRET);
        Path file = dataDir.resolve(WebhookSecretCipher.GENERATED_KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(WebhookSecretCipher.load(Optional.empty(), dataDir, true).decrypt(USER, sealed)).hasValue(SECRET);
    }

    @Test
    void aConfiguredKeyIsUsedAndABadOneIsOneClearLine() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        String sealed = WebhookSecretCipher.load(Optional.of(key), dataDir, false).encrypt(USER, SECRET);
        assertThat(new WebhookSecretCipher(new byte[32]).decrypt(USER, sealed)).hasValue(SECRET);
        assertThat(Files.exists(dataDir.resolve(WebhookSecretCipher.GENERATED_KEY_FILE))).isFalse();
        assertThatThrownBy(() -> WebhookSecretCipher.load(Optional.of("c2hvcnQ="), dataDir, false))
                .isInstanceOf(StartupException.class).hasMessageStartingWith("webhooks.secret-key (WEBHOOKS_SECRET_KEY)")
                .hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> WebhookSecretCipher.load(Optional.of("not base64!"), dataDir, false))
                .isInstanceOf(StartupException.class);
    }
}
