package dev.mp3conv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import dev.mp3conv.server.storage.BlobStoreContract.GeneratedStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindTest {
    /** Odd read sizes, as socket reads come. */
    private static final int ODD_READ = 7_777;

    @TempDir
    Path dir;

    @Test
    void copiesEveryByteInOrderAcrossZeroByteReadsAndOddSizes() throws IOException {
        long size = 3L * WriteBehind.BUFFER_SIZE * WriteBehind.BUFFERS + 12_345;
        Path file = dir.resolve("copy");
        AtomicLong reported = new AtomicLong();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.position(5);
            channel.write(ByteBuffer.wrap("head!".getBytes()), 0);
            long copied = WriteBehind.copy(generated(size, 7, -1, true), channel, reported::addAndGet);
            assertThat(copied).isEqualTo(size);
            assertThat(reported).hasValue(size);
            assertThat(channel.size()).isEqualTo(5 + size);
        }
        try (InputStream stored = Files.newInputStream(file)) {
            assertThat(new String(stored.readNBytes(5))).isEqualTo("head!");
            assertThat(stored).hasSameContentAs(generated(size, 7, -1, false));
        }
    }

    @Test
    void aFailingSourceFailsTheCopyAndNothingIsWrittenAfterItReturns() throws IOException {
        Path file = dir.resolve("failing");
        // before the reader runs out of free buffers, which the held-back writer does not return
        long failAt = 2L * WriteBehind.BUFFER_SIZE + 99;
        CountDownLatch sourceFailed = new CountDownLatch(1);
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             Recording channel = new Recording(real, sourceFailed, Long.MAX_VALUE)) {
            GeneratedStream source = new GeneratedStream(10L * failAt, 3, failAt, ODD_READ, false) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return super.read(b, off, len);
                    } catch (IOException e) {
                        // fail only once the writer holds a buffer it has not written (it waits on the latch), so
                        // the copy must stop a writer that still has work, however the threads were scheduled
                        await().atMost(Duration.ofSeconds(30)).until(() -> !channel.writers.isEmpty());
                        sourceFailed.countDown();
                        throw e;
                    }
                }
            };
            assertThatThrownBy(() -> WriteBehind.copy(source, channel, n -> { }))
                    .isInstanceOf(IOException.class).hasMessageContaining("injected failure");
            // the writer was held back until the source failed, so it still had buffers to write then
            assertThat(channel.writers).isNotEmpty().allSatisfy(writer -> assertThat(writer.isAlive()).isFalse());
            assertThat(real.size()).isLessThanOrEqualTo(failAt);
        }
    }

    @Test
    void aFailingWriteFailsTheCopyInsteadOfLeavingTheReaderWaiting() throws IOException {
        Path file = dir.resolve("full");
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             Recording channel = new Recording(real, new CountDownLatch(0), WriteBehind.BUFFER_SIZE + 1)) {
            assertThatThrownBy(() -> WriteBehind.copy(generated(100L * WriteBehind.BUFFER_SIZE, 5, -1, false),
                    channel, n -> { })).isInstanceOf(IOException.class).hasMessageContaining("disk full");
            assertThat(channel.writers).allSatisfy(writer -> assertThat(writer.isAlive()).isFalse());
        }
    }

    /** Pseudo-random bytes in odd read sizes; optionally fails at a position, optionally with 0-byte reads. */
    private static GeneratedStream generated(long length, long seed, long failAt, boolean zeroReads) {
        return new GeneratedStream(length, seed, failAt, ODD_READ, zeroReads);
    }

    /**
     * A file channel that records which threads wrote, holds writes back until {@code release} opens, and fails
     * writes past {@code failAfter} bytes like a full disk.
     */
    private static final class Recording extends FileChannel {
        private final FileChannel real;
        private final CountDownLatch release;
        private final long failAfter;
        private final List<Thread> writers = java.util.Collections.synchronizedList(new ArrayList<>());
        private long written;

        Recording(FileChannel real, CountDownLatch release, long failAfter) {
            this.real = real;
            this.release = release;
            this.failAfter = failAfter;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (!writers.contains(Thread.currentThread())) {
                writers.add(Thread.currentThread());
            }
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            if (written + src.remaining() > failAfter) {
                throw new IOException("disk full");
            }
            int n = real.write(src);
            written += n;
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return real.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return real.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
