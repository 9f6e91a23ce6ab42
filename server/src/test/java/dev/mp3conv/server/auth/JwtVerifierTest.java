package dev.mp3conv.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.mp3conv.server.testing.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The verified-token memory must never outlive a token's expiry or its key. */
class JwtVerifierTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();
    private final JwtVerifier verifier = new JwtVerifier(kid -> Optional.ofNullable(keys.get(kid)), "mp3conv", clock);

    @Test
    void aRememberedTokenIsRefusedOnceExpired() throws Exception {
        ECKey key = key();
        String token = token(key, clock.instant().plusSeconds(60));

        assertThat(verifier.verify(token)).hasValueSatisfying(p -> assertThat(p.email()).isEqualTo("x@example.com"));
        assertThat(verifier.verify(token)).isPresent();
        clock.advance(Duration.ofSeconds(60).plus(AuthSettings.CLOCK_SKEW));
        assertThat(verifier.verify(token)).isEmpty();
    }

    @Test
    void aRememberedTokenIsRefusedOnceItsKeyIsGoneOrReplaced() throws Exception {
        ECKey key = key();
        String token = token(key, clock.instant().plusSeconds(600));
        assertThat(verifier.verify(token)).isPresent();

        keys.remove(key.getKeyID());
        assertThat(verifier.verify(token)).isEmpty();

        keys.put(key.getKeyID(), new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate().toPublicJWK());
        assertThat(verifier.verify(token)).isEmpty();

        keys.put(key.getKeyID(), key.toPublicJWK());
        assertThat(verifier.verify(token)).isPresent();
    }

    @Test
    void staysBoundedUnderManyDistinctTokens() throws Exception {
        JwtVerifier small = new JwtVerifier(kid -> Optional.ofNullable(keys.get(kid)), "mp3conv", clock, 8);
        ECKey key = key();
        for (int i = 0; i < 20; i++) {
            assertThat(small.verify(token(key, clock.instant().plusSeconds(600 + i)))).isPresent();
            assertThat(small.remembered()).isBetween(1, 8);
        }
    }

    private ECKey key() throws Exception {
        ECKey key = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        keys.put(key.getKeyID(), key.toPublicJWK());
        return key;
    }

    private String token(ECKey key, Instant exp) {
        return AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder().subject("0123456789abcdef01234567")
                .claim("email", "x@example.com").claim("admin", false).issuer("mp3conv")
                .issueTime(Date.from(clock.instant())).expirationTime(Date.from(exp)).build());
    }
}
