package dev.mp3conv.server.auth;

import java.util.Optional;

/**
 * Verifies a bearer token locally (signature, algorithm, issuer, expiry), without a network hop per request.
 */
@FunctionalInterface
public interface TokenVerifier {
    /**
     * Verifies a token.
     *
     * @param token the compact JWT, without the {@code Bearer } prefix
     * @return the caller, empty when the token is not valid for any reason
     */
    Optional<Principal> verify(String token);
}
