package dev.mp3conv.server.converter;

import java.time.Duration;

import dev.mp3conv.server.Settings;
import dev.mp3conv.server.StartupException;
import io.helidon.config.Config;

/**
 * The segment settings under {@code converter} (docs/configuration.md).
 *
 * @param threshold inputs longer than this are converted in segments; zero keeps every input on the
 *                  single run
 * @param maxParts  at most this many segments per input (the conversion slots that can work on one
 *                  input: this process's by default, a cluster's total when set)
 */
record SegmentSettings(Duration threshold, int maxParts) {
    /**
     * Reads the settings; defaults in application.yaml.
     *
     * @param node        the {@code converter} node
     * @param concurrency this process's conversion slots (the default of {@code segments})
     * @return the settings
     */
    static SegmentSettings from(Config node, int concurrency) {
        Duration threshold = Settings.duration(node.get("segment-threshold"));
        int maxParts = node.get("segments").asInt().orElse(concurrency);
        if (threshold.isNegative() || maxParts < 1 || maxParts > 64) {
            throw new StartupException("converter: segment-threshold must not be negative, segments 1..64");
        }
        return new SegmentSettings(threshold, maxParts);
    }
}
