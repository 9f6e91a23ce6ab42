package dev.mp3conv.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EcKeysTest {
    // written by `openssl ecparam -name prime256v1 -genkey -noout` (the SEC1 form Helm's genPrivateKey "ecdsa" emits)
    private static final String SEC1 = resource("p256-sec1.pem");
    private static final String PKCS8_OF_SAME_KEY = resource("p256-pkcs8.pem");
    private static final String PUBLIC_OF_SAME_KEY = resource("p256-sec1.pub.pem");

    @Test
    void readsSec1AndPkcs8OfOneKeyAsTheSameKeyWithTheSameKid() throws Exception {
        ECKey sec1 = EcKeys.privateKey(SEC1);
        ECKey pkcs8 = EcKeys.privateKey(PKCS8_OF_SAME_KEY);
        ECKey published = EcKeys.publicKeys(PUBLIC_OF_SAME_KEY).getFirst();

        assertThat(sec1.isPrivate()).isTrue();
        assertThat(sec1.toECPrivateKey().getS()).isEqualTo(pkcs8.toECPrivateKey().getS());
        assertThat(sec1.toPublicJWK()).isEqualTo(published);
        assertThat(sec1.getKeyID()).isEqualTo(pkcs8.getKeyID()).isEqualTo(published.getKeyID())
                .isEqualTo(published.computeThumbprint().toString());
    }

    @Test
    void derivesThePublicKeyOfAJdkGeneratedPkcs8KeyWithoutAPublicPart() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        for (int i = 0; i < 5; i++) {
            KeyPair pair = generator.generateKeyPair();
            String pem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());

            ECKey key = EcKeys.privateKey(pem);

            ECPublicKey expected = (ECPublicKey) pair.getPublic();
            assertThat(key.toECPublicKey().getW()).isEqualTo(expected.getW());
        }
    }

    @Test
    void readsJwkAndKeepsOnlyPublicPartsOfVerificationKeys() throws Exception {
        ECKey generated = new ECKeyGenerator(Curve.P_256).keyID("chosen-by-someone").generate();

        ECKey signing = EcKeys.privateKey(generated.toJSONString());
        List<ECKey> fromSet = EcKeys.publicKeys(new JWKSet(generated).toString(false));
        List<ECKey> fromPems = EcKeys.publicKeys(SEC1 + "\n" + PUBLIC_OF_SAME_KEY);

        assertThat(signing.getKeyID()).isEqualTo(generated.computeThumbprint().toString());
        assertThat(fromSet).singleElement().satisfies(k -> {
            assertThat(k.isPrivate()).isFalse();
            assertThat(k.getKeyID()).isEqualTo(signing.getKeyID());
        });
        assertThat(fromPems).hasSize(2).allSatisfy(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(fromPems.get(0)).isEqualTo(fromPems.get(1));
    }

    @Test
    void refusesOtherCurvesPublicKeysAsSigningKeysAndGarbage() throws Exception {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();

        assertThatThrownBy(() -> EcKeys.privateKey(resource("p384-sec1.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> EcKeys.privateKey(p384.toJSONString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> EcKeys.privateKey(PUBLIC_OF_SAME_KEY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot sign");
        assertThatThrownBy(() -> EcKeys.privateKey(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK().toJSONString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private");
        assertThatThrownBy(() -> EcKeys.privateKey("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EcKeys.privateKey("not a key"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EcKeys.publicKeys("{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0\"}]}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static String resource(String name) {
        try (InputStream in = EcKeysTest.class.getResourceAsStream("/auth/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
