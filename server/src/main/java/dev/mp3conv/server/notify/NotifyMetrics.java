package dev.mp3conv.server.notify;

import java.util.List;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * {@code mp3conv.notifications}, counted by channel ({@code email}, {@code log}, {@code webhook}) and
 * outcome ({@code sent}, {@code retried}, {@code failed}, {@code skipped} for a message whose job was
 * already notified).
 */
final class NotifyMetrics {
    static final String NAME = "mp3conv.notifications";

    private final MeterRegistry registry;

    NotifyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void notification(String channel, String outcome) {
        registry.getOrCreate(Counter.builder(NAME)
                .tags(List.of(Tag.create("channel", channel), Tag.create("outcome", outcome)))).increment();
    }
}
