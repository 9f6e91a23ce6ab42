package dev.mp3conv.server.gateway;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.auth.TokenVerifier;

/**
 * The gateway role: streaming uploads, the jobs API, downloads, seed {@code /upload} and {@code /download}.
 */
public final class GatewayRole implements RoleComponent {
    private GatewayRole() {
    }

    /**
     * Creates the role.
     *
     * @param backend  shared infrastructure
     * @param verifier verifies bearer tokens
     * @return the role
     */
    public static GatewayRole create(Backend backend, TokenVerifier verifier) {
        return new GatewayRole();
    }
}
