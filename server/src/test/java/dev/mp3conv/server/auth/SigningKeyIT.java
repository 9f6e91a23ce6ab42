package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signing keys across restarts: rotation with {@code auth.previous-keys}, the generated key of the
 * embedded stack, and keys that cannot be used.
 */
class SigningKeyIT {
    private static final String PASSWORD = "long enough password";
    private static final String OLD_KEY_SEC1 = EcKeysTest.resource("p256-sec1.pem");
    private static final String OLD_KEY_PUBLIC = EcKeysTest.resource("p256-sec1.pub.pem");

    @TempDir
    Path dir;

    @Test
    void afterARotationOldTokensStayValidAndNewTokensCarryTheNewKid() throws Exception {
        String oldToken;
        try (Mp3convServer before = AuthHttp.start(dir, Map.of("auth.signing-key", OLD_KEY_SEC1))) {
            oldToken = new AuthHttp(before).registerAndLogIn("rotation@example.com", PASSWORD);
        }
        String oldKid = EcKeys.privateKey(OLD_KEY_SEC1).getKeyID();
        assertThat(SignedJWT.parse(oldToken).getHeader().getKeyID()).isEqualTo(oldKid);
        String newKey = EcKeysTest.pem("PRIVATE KEY",
                new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate()
                        .toECPrivateKey().getEncoded());
        String newKid = EcKeys.privateKey(newKey).getKeyID();

        try (Mp3convServer after = AuthHttp.start(dir, Map.of("auth.signing-key", newKey, "auth.previous-keys", OLD_KEY_PUBLIC))) {
            AuthHttp http = new AuthHttp(after);
            assertThat(http.getWithToken("/api/v1/users/me", oldToken).statusCode()).isEqualTo(200);
            String newToken = http.token("rotation@example.com", PASSWORD);
            assertThat(SignedJWT.parse(newToken).getHeader().getKeyID()).isEqualTo(newKid).isNotEqualTo(oldKid);
            assertThat(http.getWithToken("/api/v1/users/me", newToken).statusCode()).isEqualTo(200);
            assertThat(JWKSet.parse(http.get("/.well-known/jwks.json").body()).getKeys())
                    .extracting(JWK::getKeyID).containsExactlyInAnyOrder(newKid, oldKid);
        }

        // once the old key is dropped from previous-keys, its tokens are refused
        try (Mp3convServer dropped = AuthHttp.start(dir, Map.of("auth.signing-key", newKey))) {
            assertThat(new AuthHttp(dropped).getWithToken("/api/v1/users/me", oldToken).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void theEmbeddedStackGeneratesAPrivateKeyFileOnceAndKeepsUsingIt() throws Exception {
        String token;
        try (Mp3convServer first = AuthHttp.start(dir, Map.of())) {
            token = new AuthHttp(first).registerAndLogIn("generated@example.com", PASSWORD);
        }
        Path keyFile = dir.resolve(SigningKeys.GENERATED_KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent()))).isEqualTo("rwx------");
        assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo(EcKeys.privateKey(Files.readString(keyFile)).getKeyID());

        try (Mp3convServer second = AuthHttp.start(dir, Map.of())) {
            HttpResponse<String> me = new AuthHttp(second).getWithToken("/api/v1/users/me", token);
            assertThat(me.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unusableKeysStopTheStartWithOneClearLine() {
        assertThatThrownBy(() -> AuthHttp.start(dir, Map.of("auth.signing-key", OLD_KEY_PUBLIC)))
                .isInstanceOf(StartupException.class).hasMessageContaining("AUTH_SIGNING_KEY").hasMessageContaining("cannot sign");
        assertThatThrownBy(() -> AuthHttp.start(dir, Map.of("auth.signing-key", EcKeysTest.resource("p384-sec1.pem"))))
                .isInstanceOf(StartupException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> AuthHttp.start(dir, Map.of("auth.signing-key", OLD_KEY_SEC1, "auth.previous-keys", "garbage")))
                .isInstanceOf(StartupException.class).hasMessageContaining("AUTH_PREVIOUS_KEYS");
        assertThat(dir.resolve(SigningKeys.GENERATED_KEY_FILE)).doesNotExist();
    }
}
