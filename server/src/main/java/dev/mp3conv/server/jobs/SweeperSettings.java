package dev.mp3conv.server.jobs;

import java.time.Duration;

import dev.mp3conv.server.Settings;
import io.helidon.config.Config;

/**
 * The {@code sweeper} settings (docs/configuration.md), read once at start and shared by the job sweeper
 * and the converters' segment sweeper; defaults in application.yaml.
 *
 * @param interval how often a sweeper runs
 * @param grace    how long a job or unit may stay unpublished before it is published again
 * @param stale    how long a confirmed message may go untaken before it is published again (and a blob
 *                 write idle before it counts as abandoned)
 */
public record SweeperSettings(Duration interval, Duration grace, Duration stale) {
    /**
     * Reads the settings.
     *
     * @param sweeper the {@code sweeper} node
     * @return the settings
     */
    public static SweeperSettings from(Config sweeper) {
        return new SweeperSettings(Settings.duration(sweeper.get("interval")), Settings.duration(sweeper.get("grace")),
                Settings.duration(sweeper.get("stale")));
    }
}
