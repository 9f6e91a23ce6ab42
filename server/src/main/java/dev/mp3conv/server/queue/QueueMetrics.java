package dev.mp3conv.server.queue;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Queue counters, tagged by topic: published, confirmed, returned, redelivered, dead-lettered,
 * and the number of consumers.
 */
public final class QueueMetrics {
    private final MeterRegistry registry;
    private final Map<Topic, AtomicInteger> consumers = new EnumMap<>(Topic.class);

    /**
     * Registers the meters.
     *
     * @param registry meter registry
     */
    public QueueMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Topic topic : Topic.values()) {
            AtomicInteger count = new AtomicInteger();
            consumers.put(topic, count);
            registry.getOrCreate(Gauge.builder("mp3conv.queue.consumers", count, AtomicInteger::get)
                    .tags(java.util.List.of(tag(topic))));
        }
    }

    void published(Topic topic) {
        counter("mp3conv.queue.published", topic).increment();
    }

    void confirmed(Topic topic) {
        counter("mp3conv.queue.confirmed", topic).increment();
    }

    void returned(Topic topic) {
        counter("mp3conv.queue.returned", topic).increment();
    }

    void redelivered(Topic topic) {
        counter("mp3conv.queue.redelivered", topic).increment();
    }

    void deadLettered(Topic topic) {
        counter("mp3conv.queue.dead_lettered", topic).increment();
    }

    void consumers(Topic topic, int delta) {
        consumers.get(topic).addAndGet(delta);
    }

    private Counter counter(String name, Topic topic) {
        return registry.getOrCreate(Counter.builder(name).tags(java.util.List.of(tag(topic))));
    }

    private static Tag tag(Topic topic) {
        return Tag.create("topic", topic.name().toLowerCase());
    }
}
