package dev.mp3conv.server.gateway;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * Settings of the resumable uploads ({@code gateway.uploads}, docs/configuration.md).
 *
 * @param maxSize     largest {@code Upload-Length} accepted ({@code gateway.max-upload-size}, as multipart)
 * @param maxChunk    largest PATCH body; {@link Long#MAX_VALUE} when unlimited (set it below a proxy's limit)
 * @param expiry      how long an unfinished upload is kept after its last byte arrived
 * @param corsOrigins origins a browser page may upload from ({@code *}: any; the API takes bearer tokens
 *                    only, never cookies, so a foreign page cannot ride on a user's session)
 * @param stream      judge each upload's first bytes and convert a streamable one while it arrives (issue 24)
 */
record TusConfig(long maxSize, long maxChunk, Duration expiry, List<String> corsOrigins, boolean stream) {
    /**
     * Reads the settings.
     *
     * @param uploads the {@code gateway.uploads} node
     * @param maxSize the gateway's upload size limit
     * @return the settings
     */
    static TusConfig create(Config uploads, long maxSize) {
        long maxChunk = Settings.size(uploads.get("max-chunk"), 0);
        List<String> origins = Arrays.stream(Settings.text(uploads.get("cors-origins")).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new TusConfig(maxSize, maxChunk <= 0 ? Long.MAX_VALUE : maxChunk,
                Settings.duration(uploads.get("expiry")), origins, uploads.get("stream").asBoolean().orElse(true));
    }
}
