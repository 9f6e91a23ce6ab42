package dev.mp3conv.server.auth;

import java.util.Optional;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;

/**
 * The auth role: users, argon2id passwords, ES256 tokens, JWKS, seed {@code /login} and {@code /validate}.
 */
public final class AuthRole implements RoleComponent {
    private AuthRole() {
    }

    /**
     * Creates the role.
     *
     * @param backend shared infrastructure
     * @return the role
     */
    public static AuthRole create(Backend backend) {
        return new AuthRole();
    }

    /**
     * The token verifier for this process: in-process keys when the auth role runs here,
     * otherwise the JWKS fetched from {@code auth.url}.
     *
     * @param backend shared infrastructure
     * @param local   the auth role of this process, if any
     * @return the verifier
     */
    public static TokenVerifier verifier(Backend backend, Optional<AuthRole> local) {
        // placeholder until the auth role lands: no token is valid
        return token -> Optional.empty();
    }
}
