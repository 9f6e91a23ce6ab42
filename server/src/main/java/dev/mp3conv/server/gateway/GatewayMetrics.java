package dev.mp3conv.server.gateway;

import java.time.Duration;
import java.util.List;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Gateway meters: uploads by outcome, bytes in and out, time spent receiving uploads.
 */
final class GatewayMetrics {
    private final Counter accepted;
    private final Counter rejected;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Timer uploadTime;

    GatewayMetrics(MeterRegistry registry) {
        this.accepted = registry.getOrCreate(Counter.builder("mp3conv.gateway.uploads")
                .description("uploads by outcome").tags(List.of(Tag.create("outcome", "accepted"))));
        this.rejected = registry.getOrCreate(Counter.builder("mp3conv.gateway.uploads")
                .description("uploads by outcome").tags(List.of(Tag.create("outcome", "rejected"))));
        this.bytesIn = registry.getOrCreate(Counter.builder("mp3conv.gateway.upload.bytes")
                .description("bytes of accepted uploads").baseUnit("bytes"));
        this.bytesOut = registry.getOrCreate(Counter.builder("mp3conv.gateway.download.bytes")
                .description("bytes of MP3s sent").baseUnit("bytes"));
        this.uploadTime = registry.getOrCreate(Timer.builder("mp3conv.gateway.upload")
                .description("time to receive and store an upload"));
    }

    void uploaded(long bytes, Duration took) {
        accepted.increment();
        bytesIn.increment(bytes);
        uploadTime.record(took);
    }

    void rejected() {
        rejected.increment();
    }

    void sent(long bytes) {
        bytesOut.increment(bytes);
    }
}
