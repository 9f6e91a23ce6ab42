package dev.mp3conv.server.storage;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkBuffersTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void theLauncherDefaultHeapGetsNineWritersAndThreeSpares() {
        ChunkBuffers buffers = ChunkBuffers.forHeap(64 * MIB);
        assertThat(buffers.writers()).isEqualTo(9);
        assertThat(buffers.extras()).isEqualTo(3);
        // 24 MiB of 64 at 2 MiB a buffer
        assertThat((buffers.writers() + buffers.extras()) * ChunkBuffers.COST_MIB).isEqualTo(24);
    }

    @Test
    void aTinyHeapStillGetsTwoWritersAndOneSpare() {
        ChunkBuffers buffers = ChunkBuffers.forHeap(4 * MIB);
        assertThat(buffers.writers()).isEqualTo(2);
        assertThat(buffers.extras()).isEqualTo(1);
    }

    @Test
    void aWriterPastTheBudgetIsRefusedWithRetryAfterAndServedOnceOneIsReleased() {
        ChunkBuffers buffers = new ChunkBuffers(1, 1, Duration.ofMillis(50));
        assertThat(buffers.writer()).hasSize(GridFsBlobStore.CHUNK_SIZE);
        assertThatThrownBy(buffers::writer).isInstanceOfSatisfying(StoreBusyException.class,
                e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5)));
        buffers.releaseWriter();
        assertThat(buffers.writer()).hasSize(GridFsBlobStore.CHUNK_SIZE);
        assertThat(buffers.tryExtra()).isTrue();
        assertThat(buffers.tryExtra()).as("one spare only").isFalse();
        buffers.releaseExtra();
        assertThat(buffers.tryExtra()).isTrue();
    }
}
