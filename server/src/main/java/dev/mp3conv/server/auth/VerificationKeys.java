package dev.mp3conv.server.auth;

import java.util.Optional;

import com.nimbusds.jose.jwk.ECKey;

/**
 * Where a verifier finds public keys by {@code kid}: in-process ({@link SigningKeys}) when the auth role
 * runs in this JVM, otherwise the auth service's JWKS ({@link RemoteJwks}).
 */
interface VerificationKeys {
    /**
     * The public key with this id.
     *
     * @param kid key id from the token header
     * @return the key, empty when unknown
     */
    Optional<ECKey> key(String kid);
}
