package dev.mp3conv.server.auth;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Verifies access tokens locally: the algorithm is pinned to ES256 whatever the header says (no
 * {@code none}, no HS256 with the public key as secret), the key comes from {@link VerificationKeys} by
 * {@code kid}, issuer, audience, expiry and not-before are checked with {@link AuthSettings#CLOCK_SKEW},
 * and the token's {@code epoch} must still be its user's ({@link TokenEpochs}: a deleted user or a changed
 * password revokes earlier tokens), on every call, remembered tokens included.
 *
 * <p>A client sends the same token for up to an hour, and an ES256 check costs far more than a request's
 * other work, so tokens that passed are remembered (exact token text → claims, at most
 * {@link #CACHE_SIZE}). A remembered token is still refused once it expires or once its key is no longer
 * among the verification keys; only tokens that passed every check are ever remembered.
 */
final class JwtVerifier implements TokenVerifier {
    /** Longer than any token we issue; bounds the parsing work an attacker can cause. */
    private static final int MAX_TOKEN_LENGTH = 4096;
    static final int CACHE_SIZE = 4096;

    private final VerificationKeys keys;
    private final String issuer;
    private final String audience;
    private final TokenEpochs epochs;
    private final Clock clock;
    private final Map<ECKey, ECDSAVerifier> verifiers = new ConcurrentHashMap<>();
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private final int cacheSize;

    JwtVerifier(VerificationKeys keys, String issuer, String audience, TokenEpochs epochs, Clock clock) {
        this(keys, issuer, audience, epochs, clock, CACHE_SIZE);
    }

    JwtVerifier(VerificationKeys keys, String issuer, String audience, TokenEpochs epochs, Clock clock, int cacheSize) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.epochs = epochs;
        this.clock = clock;
        this.cacheSize = cacheSize;
    }

    @Override
    public Optional<Principal> verify(String token) {
        return claims(token).flatMap(JwtVerifier::principal);
    }

    /**
     * The verified claims of a token (the seed's {@code /validate} answers with them).
     *
     * @param token compact JWT
     * @return claims, empty when the token is not valid for any reason
     */
    Optional<JWTClaimsSet> claims(String token) {
        return signedClaims(token).filter(this::notRevoked);
    }

    private boolean notRevoked(JWTClaimsSet claims) {
        return claims.getClaim(TokenEpochs.CLAIM) instanceof Number epoch && claims.getSubject() != null
                && epochs.current(claims.getSubject(), epoch.longValue());
    }

    private Optional<JWTClaimsSet> signedClaims(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        Verified known = verified.get(token);
        if (known != null) {
            return known.stillValid(keys, clock.instant()) ? Optional.of(known.claims()) : Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || header.getKeyID() == null) {
                return Optional.empty();
            }
            Optional<ECKey> key = keys.key(header.getKeyID());
            if (key.isEmpty() || !jwt.verify(verifier(key.get()))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!timely(claims) || !issuer.equals(claims.getIssuer())
                    || claims.getAudience() == null || !claims.getAudience().contains(audience)) {
                return Optional.empty();
            }
            remember(token, new Verified(claims, header.getKeyID(), key.get()));
            return Optional.of(claims);
        } catch (ParseException | JOSEException | IllegalStateException e) {
            // a token that does not parse or whose signature cannot be checked is simply not valid
            return Optional.empty();
        }
    }

    private void remember(String token, Verified entry) {
        if (verified.size() >= cacheSize) {
            Instant now = clock.instant();
            verified.values().removeIf(v -> !v.timely(now));
            if (verified.size() >= cacheSize) {
                verified.clear(); // crude but bounded: the next requests simply verify again
            }
        }
        verified.put(token, entry);
    }

    /** How many verified tokens are remembered now (tests). */
    int remembered() {
        return verified.size();
    }

    private boolean timely(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        Date iat = claims.getIssueTime();
        return exp != null
                && now.isBefore(exp.toInstant().plus(AuthSettings.CLOCK_SKEW))
                && (nbf == null || !now.isBefore(nbf.toInstant().minus(AuthSettings.CLOCK_SKEW)))
                && (iat == null || !now.isBefore(iat.toInstant().minus(AuthSettings.CLOCK_SKEW)));
    }

    private ECDSAVerifier verifier(ECKey key) {
        return verifiers.computeIfAbsent(key, k -> {
            try {
                return new ECDSAVerifier(k);
            } catch (JOSEException e) {
                throw new IllegalStateException("not a verification key", e);
            }
        });
    }

    private static Optional<Principal> principal(JWTClaimsSet claims) {
        try {
            String subject = claims.getSubject();
            String email = claims.getStringClaim("email");
            Boolean admin = claims.getBooleanClaim("admin");
            if (subject == null || email == null) {
                return Optional.empty();
            }
            return Optional.of(new Principal(subject, email, Boolean.TRUE.equals(admin)));
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    /** A token that passed every check, with the key that checked it. */
    private record Verified(JWTClaimsSet claims, String kid, ECKey key) {
        boolean timely(Instant now) {
            return now.isBefore(claims.getExpirationTime().toInstant().plus(AuthSettings.CLOCK_SKEW));
        }

        boolean stillValid(VerificationKeys keys, Instant now) {
            return timely(now) && keys.key(kid).filter(key::equals).isPresent();
        }
    }
}
