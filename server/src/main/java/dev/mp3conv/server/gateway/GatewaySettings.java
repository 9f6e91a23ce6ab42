package dev.mp3conv.server.gateway;

import java.util.Optional;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The {@code gateway} settings (docs/configuration.md), read once at start; defaults in application.yaml.
 *
 * @param maxUploadSize largest accepted upload, multipart or tus ({@code gateway.max-upload-size})
 * @param uploads       the resumable uploads ({@code gateway.uploads})
 * @param publicUrl     how users reach the API, without a trailing slash ({@code app.public-url})
 * @param authUrl       where the auth routes are forwarded when this process runs no auth role ({@code auth.url},
 *                      read only then)
 */
public record GatewaySettings(long maxUploadSize, TusConfig uploads, String publicUrl, Optional<String> authUrl) {
    /**
     * Reads the settings.
     *
     * @param gateway   the {@code gateway} node
     * @param publicUrl the normalised {@code app.public-url}
     * @param authUrl   {@code auth.url}, when set
     * @return the settings
     */
    public static GatewaySettings from(Config gateway, String publicUrl, Optional<String> authUrl) {
        long maxUpload = Settings.size(gateway.get("max-upload-size"));
        return new GatewaySettings(maxUpload, TusConfig.create(gateway.get("uploads"), maxUpload), publicUrl,
                authUrl.map(String::strip).filter(url -> !url.isEmpty()));
    }
}
