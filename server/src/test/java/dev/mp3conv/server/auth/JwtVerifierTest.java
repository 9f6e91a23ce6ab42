package dev.mp3conv.server.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.mp3conv.server.testing.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The verified-token memory must never outlive a token's expiry, its key or its user's token epoch. */
class JwtVerifierTest {
    private static final String USER = "0123456789abcdef01234567";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, ECKey> keys = new ConcurrentHashMap<>();
    /** The "users collection": user id → stored epoch; absent = deleted. */
    private final Map<String, Long> stored = new ConcurrentHashMap<>(Map.of(USER, 0L));
    private final AtomicInteger lookups = new AtomicInteger();
    private final TokenEpochs epochs = new TokenEpochs(id -> {
        lookups.incrementAndGet();
        Long epoch = stored.get(id);
        return epoch == null ? OptionalLong.empty() : OptionalLong.of(epoch);
    }, Duration.ofSeconds(10), clock);
    private final JwtVerifier verifier = new JwtVerifier(kid -> Optional.ofNullable(keys.get(kid)), "mp3conv", "mp3conv-api",
            epochs, clock);

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
        JwtVerifier small = new JwtVerifier(kid -> Optional.ofNullable(keys.get(kid)), "mp3conv", "mp3conv-api", epochs,
                clock, 8);
        ECKey key = key();
        for (int i = 0; i < 20; i++) {
            assertThat(small.verify(token(key, clock.instant().plusSeconds(600 + i)))).isPresent();
            assertThat(small.remembered()).isBetween(1, 8);
        }
    }

    @Test
    void aRaisedEpochOrADeletedUserRevokesWithinTheTtlAndAtOnceWhenRecordedHere() throws Exception {
        ECKey key = key();
        String token = token(key, clock.instant().plusSeconds(3600));
        assertThat(verifier.verify(token)).isPresent();
        assertThat(verifier.verify(token)).isPresent();
        assertThat(lookups).as("read once per TTL").hasValue(1);

        stored.put(USER, 1L); // another process changed the password
        assertThat(verifier.verify(token)).as("still trusted within the TTL").isPresent();
        clock.advance(Duration.ofSeconds(10));
        assertThat(verifier.verify(token)).as("read again after the TTL").isEmpty();
        String newer = token(key, clock.instant().plusSeconds(3600), 1L);
        assertThat(verifier.verify(newer)).isPresent();

        epochs.changed(USER, TokenEpochs.DELETED); // this process deleted the user
        assertThat(verifier.verify(newer)).isEmpty();
        assertThat(verifier.verify(token(key, clock.instant().plusSeconds(3600), TokenEpochs.DELETED)))
                .as("no epoch matches a deleted user").isEmpty();
    }

    @Test
    void aStaleReadingNeverUndoesANewerOne() throws Exception {
        ECKey key = key();
        epochs.changed(USER, 2L);
        clock.advance(Duration.ofSeconds(11));
        // the store still answers 0 (a replica behind): the epoch this process recorded wins
        assertThat(verifier.verify(token(key, clock.instant().plusSeconds(3600), 0L))).isEmpty();
        assertThat(verifier.verify(token(key, clock.instant().plusSeconds(3600), 2L))).isPresent();
    }

    @Test
    void tokensWithoutOurAudienceOrWithoutAnEpochAreRefused() throws Exception {
        ECKey key = key();
        Instant now = clock.instant();
        JWTClaimsSet good = claims(now.plusSeconds(600), 0L);
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), good))).isPresent();
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder(good).audience((String) null).build())))
                .as("no aud").isEmpty();
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder(good).audience("other-api").build())))
                .as("other aud").isEmpty();
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder(good)
                .audience(java.util.List.of("other-api", "mp3conv-api")).build()))).as("ours among several").isPresent();
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder(good).claim("epoch", null).build())))
                .as("no epoch").isEmpty();
        assertThat(verifier.verify(AuthIT.sign(key, key.getKeyID(), new JWTClaimsSet.Builder(good).claim("epoch", "0").build())))
                .as("epoch not a number").isEmpty();
    }

    private ECKey key() throws Exception {
        ECKey key = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        keys.put(key.getKeyID(), key.toPublicJWK());
        return key;
    }

    private String token(ECKey key, Instant exp) {
        return token(key, exp, 0L);
    }

    private String token(ECKey key, Instant exp, long epoch) {
        return AuthIT.sign(key, key.getKeyID(), claims(exp, epoch));
    }

    private JWTClaimsSet claims(Instant exp, long epoch) {
        return new JWTClaimsSet.Builder().subject(USER)
                .claim("email", "x@example.com").claim("admin", false).claim("epoch", epoch).issuer("mp3conv")
                .audience("mp3conv-api").issueTime(Date.from(clock.instant())).expirationTime(Date.from(exp)).build();
    }
}
