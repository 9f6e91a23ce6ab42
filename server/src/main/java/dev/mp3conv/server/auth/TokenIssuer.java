package dev.mp3conv.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs access tokens: ES256, {@code kid} header, claims {@code sub}, {@code email}, {@code admin},
 * {@code iat}, {@code exp}, {@code iss}, {@code aud} and the user's token {@code epoch} ({@link TokenEpochs}).
 */
final class TokenIssuer {
    private final ECDSASigner signer;
    private final String kid;
    private final String issuer;
    private final String audience;
    private final Duration ttl;
    private final Clock clock;

    TokenIssuer(SigningKeys keys, String issuer, String audience, Duration ttl, Clock clock) {
        try {
            this.signer = new ECDSASigner(keys.signing());
        } catch (JOSEException e) {
            throw new IllegalStateException("the signing key cannot sign ES256", e);
        }
        this.kid = keys.signing().getKeyID();
        this.issuer = issuer;
        this.audience = audience;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * A signed token for a user.
     *
     * @param user the authenticated user
     * @return the token and its lifetime
     */
    IssuedToken issue(User user) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user.id())
                .claim("email", user.email())
                .claim("admin", user.admin())
                .claim(TokenEpochs.CLAIM, user.tokenEpoch())
                .issuer(issuer)
                .audience(audience)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return new IssuedToken(jwt.serialize(), ttl.toSeconds());
    }

    /**
     * A signed token.
     *
     * @param token     compact JWT
     * @param expiresIn lifetime in seconds
     */
    record IssuedToken(String token, long expiresIn) {
        @Override
        public String toString() {
            return "IssuedToken[expiresIn=" + expiresIn + ", token=***]";
        }
    }
}
