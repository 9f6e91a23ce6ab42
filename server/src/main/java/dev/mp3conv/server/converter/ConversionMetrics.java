package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.List;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Converter meters: {@code mp3conv.conversions} by outcome ({@code done}, a failure code such as
 * {@code no-audio}, {@code retry}, {@code lease-lost}, {@code released}, {@code skipped}),
 * {@code mp3conv.conversion} (wall time of finished conversions), {@code mp3conv.conversion.speed}
 * (audio seconds converted per wall second, per conversion).
 */
final class ConversionMetrics {
    private final MeterRegistry registry;
    private final Timer wall;
    private final DistributionSummary speed;

    ConversionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.wall = registry.getOrCreate(Timer.builder("mp3conv.conversion")
                .description("wall time of conversions that produced an MP3"));
        this.speed = registry.getOrCreate(DistributionSummary.builder("mp3conv.conversion.speed")
                .description("audio seconds converted per wall second"));
    }

    void outcome(String outcome) {
        registry.getOrCreate(Counter.builder("mp3conv.conversions").tags(List.of(Tag.create("outcome", outcome))))
                .increment();
    }

    void converted(Duration elapsed, double audioSeconds) {
        outcome("done");
        wall.record(elapsed);
        if (audioSeconds > 0 && !elapsed.isZero()) {
            speed.record(audioSeconds / (elapsed.toNanos() / 1e9));
        }
    }
}
