package dev.mp3conv.server.storage;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The 1 MiB chunk buffers of a {@link GridFsBlobStore}'s writes, bounded for the whole process by its heap.
 * Each write (an upload, a tus PATCH) holds one buffer it fills ({@link #writer}); while it has a chunk insert
 * in flight and a spare buffer is free ({@link #tryExtra}) it fills a second one meanwhile, up to the store's
 * window. An insert holds its buffer, and the driver an encoded copy, until the store acknowledges it, so a
 * buffer costs up to {@value #COST_MIB} MiB of heap.
 *
 * <p>Measured (bench/README.md, "GridFS uploads at the default heap"): without this bound each upload held
 * 4 inserts in flight and a gateway with the launcher's 64 MiB heap died of OutOfMemoryError with 16 uploads
 * at once. With it, {@link #forHeap} gives a 64 MiB heap 9 writers and 3 spare buffers (24 MiB at most); a
 * write that finds no writer buffer free within {@link #WAIT} fails with {@link StoreBusyException}, which the
 * HTTP layer answers with 503 and {@code Retry-After}.
 */
final class ChunkBuffers {
    /** Heap one buffer may cost: the chunk and the driver's encoding of it. */
    static final int COST_MIB = 2;
    /** Share of the heap all chunk buffers together may cost. */
    static final double HEAP_SHARE = 3.0 / 8;
    /** How long a write waits for a writer buffer before it is refused. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private final int writers;
    private final int extras;
    private final Semaphore writerPermits;
    private final Semaphore extraPermits;
    private final Duration wait;

    ChunkBuffers(int writers, int extras, Duration wait) {
        if (writers < 1 || extras < 0) {
            throw new IllegalArgumentException("writers must be >= 1 and extras >= 0");
        }
        this.writers = writers;
        this.extras = extras;
        this.writerPermits = new Semaphore(writers, true);
        this.extraPermits = new Semaphore(extras);
        this.wait = wait;
    }

    /**
     * The budget for a heap: {@link #HEAP_SHARE} of it in buffers of {@link #COST_MIB} MiB, a quarter of them
     * spare (inserts overlapping the reading of the next chunk), the rest one per write at once; at least
     * two writers and one spare.
     *
     * @param maxHeapBytes the JVM's maximum heap
     * @return the budget
     */
    static ChunkBuffers forHeap(long maxHeapBytes) {
        int total = (int) Math.max(3, maxHeapBytes * HEAP_SHARE / (COST_MIB * 1024.0 * 1024.0));
        int extras = Math.max(1, total / 4);
        return new ChunkBuffers(total - extras, extras, WAIT);
    }

    /**
     * A buffer for a write to fill; give it back with {@link #releaseWriter}.
     *
     * @return a new 1 MiB buffer
     * @throws StoreBusyException when as many writes as the heap allows are running for longer than the wait
     */
    byte[] writer() {
        try {
            if (!writerPermits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StoreBusyException("the server is receiving as many uploads as its memory allows ("
                        + writers + ")", Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreBusyException("interrupted while waiting for an upload buffer", Duration.ofSeconds(5));
        }
        return new byte[GridFsBlobStore.CHUNK_SIZE];
    }

    void releaseWriter() {
        writerPermits.release();
    }

    /** @return whether a spare buffer was free, now held until {@link #releaseExtra} */
    boolean tryExtra() {
        return extraPermits.tryAcquire();
    }

    void releaseExtra() {
        extraPermits.release();
    }

    int writers() {
        return writers;
    }

    int extras() {
        return extras;
    }
}
