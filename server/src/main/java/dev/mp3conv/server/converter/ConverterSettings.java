package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.Optional;

import dev.mp3conv.server.Settings;
import dev.mp3conv.server.StartupException;
import io.helidon.config.Config;

/**
 * The {@code converter} settings (docs/configuration.md).
 *
 * @param ffmpeg      configured ffmpeg path or {@code bundled}; empty → PATH, then bundled
 * @param concurrency conversions at once in this process
 * @param lease       how long a claim lasts unless renewed (renewed with progress every {@link #renewEvery()})
 * @param timeout     fixed time budget per job; empty → {@link #BASE_TIMEOUT} plus the media duration
 * @param maxAttempts after this many claims that ended in unexpected faults the job fails as {@code internal-error}
 * @param limits      how much audio one job may have ({@code max-duration})
 * @param perUser     at most this many of one user's jobs convert at once, across all converters
 * @param segments    when and into how many segments long inputs are split
 * @param streamIdle  how long a conversion reading an upload as it arrives waits for a new byte before it gives up
 */
public record ConverterSettings(Optional<String> ffmpeg, int concurrency, Duration lease, Optional<Duration> timeout,
                                int maxAttempts, MediaLimits limits, int perUser, SegmentSettings segments,
                                Duration streamIdle) {
    /** Time budget of a job on top of its media duration (so ffmpeg must run at least at real-time speed). */
    static final Duration BASE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(2);

    /**
     * Reads the settings; defaults in application.yaml but for those computed here (concurrency, timeout,
     * max-attempts).
     *
     * @param node          the {@code converter} node
     * @param deliveryLimit {@code queue.delivery-limit}, the default of {@code max-attempts}
     * @return the settings
     * @throws StartupException when a value is out of range
     */
    public static ConverterSettings from(Config node, int deliveryLimit) {
        int concurrency = node.get("concurrency").asInt().orElse(Runtime.getRuntime().availableProcessors());
        Duration lease = Settings.duration(node.get("lease"));
        int maxAttempts = node.get("max-attempts").asInt().orElse(deliveryLimit);
        if (concurrency < 1 || maxAttempts < 1 || lease.toMillis() < 1000) {
            throw new StartupException("converter: concurrency and max-attempts must be at least 1, lease at least 1s");
        }
        Duration maxDuration = Settings.duration(node.get("max-duration"));
        int perUser = Settings.integer(node.get("per-user"));
        if (perUser < 1 || maxDuration.toSeconds() < 1) {
            throw new StartupException("converter: per-user must be at least 1, max-duration at least 1s");
        }
        Optional<Duration> timeout = node.get("timeout").asString().filter(s -> !s.isBlank())
                .map(s -> Settings.duration(node.get("timeout")));
        return new ConverterSettings(node.get("ffmpeg").asString().asOptional().filter(s -> !s.isBlank()),
                concurrency, lease, timeout, maxAttempts, new MediaLimits(maxDuration), perUser,
                SegmentSettings.from(node, concurrency), streamIdle(node));
    }

    private static Duration streamIdle(Config node) {
        Duration idle = node.get("stream-idle").exists() ? Settings.duration(node.get("stream-idle")) : Duration.ofSeconds(30);
        if (idle.toMillis() < 100) {
            throw new StartupException("converter: stream-idle must be at least 100ms");
        }
        return idle;
    }

    /**
     * How often a running conversion renews its lease and records progress.
     *
     * @return interval, well below the lease
     */
    Duration renewEvery() {
        Duration third = lease.dividedBy(3);
        return third.compareTo(RENEW_EVERY) < 0 ? third : RENEW_EVERY;
    }

    /**
     * Time budget of a job.
     *
     * @param mediaSeconds probed duration, 0 when unknown
     * @return the budget
     */
    Duration timeoutFor(double mediaSeconds) {
        return timeout.orElseGet(() -> BASE_TIMEOUT.plusMillis((long) (mediaSeconds * 1000)));
    }
}
