package dev.mp3conv.server.converter;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;

/**
 * The converter role: consumes {@code video}, runs ffmpeg, stores the MP3, publishes {@code mp3}.
 */
public final class ConverterRole implements RoleComponent {
    private ConverterRole() {
    }

    /**
     * Creates the role.
     *
     * @param backend shared infrastructure
     * @return the role
     */
    public static ConverterRole create(Backend backend) {
        return new ConverterRole();
    }
}
