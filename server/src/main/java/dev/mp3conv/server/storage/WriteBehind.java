package dev.mp3conv.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * Copies a stream into a file with the reads and the writes on two threads: the caller's thread reads the
 * source (for an upload: the socket, through the HTTP stack and the hash) into one of a few reused buffers
 * while a virtual thread of its own writes the previous ones into the page cache. In an upload both halves
 * cost about the same CPU, so on one thread each waited for the other. Memory is bounded:
 * {@value #BUFFERS} buffers of {@value #BUFFER_SIZE} bytes, whatever the size of the stream. The file's
 * position is the writer's alone while a copy runs. The writes go to a {@link Target}: a channel at its position,
 * or anything that writes the bytes in order (e.g. {@link DirectWrites}, past the page cache).
 */
final class WriteBehind {
    static final int BUFFERS = 4;
    static final int BUFFER_SIZE = 256 * 1024;
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final Target target;
    private final BlockingQueue<ByteBuffer> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private volatile IOException failure;
    private volatile boolean stopped;

    private WriteBehind(Target target) {
        this.target = target;
    }

    /**
     * Where the writer puts the bytes, in the order they were read. Every method runs on the writer's thread.
     */
    interface Target {
        /**
         * Writes all of {@code bytes} (a heap buffer the copy reuses once this returns).
         *
         * @param bytes the next bytes of the stream
         * @throws IOException when the file fails
         */
        void write(ByteBuffer bytes) throws IOException;

        /**
         * After the last write of a source that ended: whatever the target still holds goes to the file.
         *
         * @throws IOException when the file fails
         */
        default void finish() throws IOException {
        }

        /** Always last, also after a failure: releases what the target holds. */
        default void release() {
        }
    }

    /**
     * Copies {@code source} to its end into {@code channel} at its position and returns once every byte read
     * was handed to the file (written, not synced).
     *
     * @param source  read to the end (a read of 0 bytes is not the end), not closed
     * @param channel written from its current position
     * @param wrote   told the size of each write, on the writer's thread, after it (e.g. to start a sync)
     * @return bytes copied
     * @throws IOException when the source or the file fails; the writer has stopped by then
     */
    static long copy(InputStream source, FileChannel channel, LongConsumer wrote) throws IOException {
        return copy(source, bytes -> {
            int n = bytes.remaining();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            wrote.accept(n);
        });
    }

    /**
     * Copies {@code source} to its end into {@code target} and returns once the target wrote every byte read
     * (and, for a source that ended, {@link Target#finish() finished}).
     *
     * @param source read to the end (a read of 0 bytes is not the end), not closed
     * @param target writes the bytes on the writer's thread
     * @return bytes copied
     * @throws IOException when the source or the target fails; the writer has stopped by then
     */
    static long copy(InputStream source, Target target) throws IOException {
        return new WriteBehind(target).run(source);
    }

    private long run(InputStream source) throws IOException {
        for (int i = 0; i < BUFFERS; i++) {
            free.add(ByteBuffer.allocate(BUFFER_SIZE));
        }
        Thread writer = Thread.ofVirtual().name("blob-write").start(this::writeUntilEnd);
        long total = 0;
        boolean ended = false;
        try {
            while (true) {
                ByteBuffer buffer = take(free);
                // fill the buffer before each write: a request body hands out a socket read at a time, and one
                // write call per small piece costs a system call each; readNBytes also loops over 0-byte reads
                int n = source.readNBytes(buffer.array(), 0, BUFFER_SIZE);
                if (n <= 0) {
                    break;
                }
                buffer.clear().limit(n);
                put(buffer);
                total += n;
            }
            put(END);
            ended = true;
            join(writer);
        } finally {
            if (!ended) {
                // the source failed: stop the writer (not by an interrupt, which would close the channel) and
                // wait, so nothing writes to the channel after this
                stopped = true;
                full.offer(END);
                joinQuietly(writer);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return total;
    }

    private void writeUntilEnd() {
        try {
            ByteBuffer buffer = full.take();
            for (; buffer != END && !stopped; buffer = full.take()) {
                target.write(buffer);
                free.put(buffer);
            }
            if (!stopped) {
                target.finish();
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            // the reader gave up
        } catch (RuntimeException e) {
            failure = new IOException("cannot write: " + e.getMessage(), e);
        } finally {
            target.release();
        }
        // wakes a reader waiting for a free buffer after a failed write
        free.offer(ByteBuffer.allocate(BUFFER_SIZE));
    }

    private void put(ByteBuffer buffer) throws IOException {
        if (failure != null) {
            throw failure;
        }
        try {
            full.put(buffer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private ByteBuffer take(BlockingQueue<ByteBuffer> queue) throws IOException {
        try {
            ByteBuffer buffer = queue.take();
            if (failure != null) {
                throw failure;
            }
            return buffer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private void join(Thread writer) throws InterruptedIOException {
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            joinQuietly(writer);
            throw new InterruptedIOException("interrupted while writing");
        }
    }

    private static void joinQuietly(Thread writer) {
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
