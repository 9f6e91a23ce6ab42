package dev.mp3conv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import dev.mp3conv.server.storage.BlobStoreContract.GeneratedStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectWritesTest {
    @TempDir
    Path dir;

    @Test
    void appendsAtUnalignedOffsetsInOddPiecesKeepEveryByteInPlace() throws IOException {
        Path file = Files.createFile(dir.resolve("upload"));
        long block = Files.getFileStore(file).getBlockSize();
        // appends that start and end anywhere: inside a block, on a boundary, shorter than a block, several stages
        long[] ends = {1, block - 1, block, 3 * block + 7, 3 * block + 9, DirectWrites.STAGE + 5,
            3L * DirectWrites.STAGE + block + 11, 3L * DirectWrites.STAGE + 2 * block + 11, 5L * DirectWrites.STAGE};
        long offset = 0;
        boolean wentDirect = false;
        for (long end : ends) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                Optional<DirectWrites> direct = DirectWrites.open(file, channel, offset);
                wentDirect |= direct.isPresent();
                assumeTrue(direct.isPresent(), "the file system of the temporary folder does no direct writes");
                InputStream piece = new org.apache.commons.io.input.BoundedInputStream.Builder()
                        .setInputStream(skipped(offset)).setMaxCount(end - offset).get();
                assertThat(WriteBehind.copy(piece, direct.get())).isEqualTo(end - offset);
                channel.force(false);
                assertThat(channel.size()).as("size after the append ending at %d", end).isEqualTo(end);
            }
            offset = end;
        }
        assertThat(wentDirect).isTrue();
        try (InputStream stored = Files.newInputStream(file);
             InputStream expected = new GeneratedStream(offset, 9, -1)) {
            assertThat(stored).hasSameContentAs(expected);
        }
    }

    @Test
    void bytesReadBeforeTheSourceFailedAreWrittenOnlyUpToWhatTheStageFilledAndTheAppendFails() throws IOException {
        Path file = Files.createFile(dir.resolve("failing"));
        long failAt = 2L * DirectWrites.STAGE + 100;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Optional<DirectWrites> direct = DirectWrites.open(file, channel, 0);
            assumeTrue(direct.isPresent(), "the file system of the temporary folder does no direct writes");
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    WriteBehind.copy(new GeneratedStream(10L * DirectWrites.STAGE, 9, failAt), direct.get()))
                    .isInstanceOf(IOException.class);
            // a failed append's bytes past the committed offset are dropped by the next append: never more than read
            assertThat(channel.size()).isLessThanOrEqualTo(failAt);
        }
    }

    @Test
    void aBlockOfTheStageIsNotReusedBeforeItWasWritten() throws IOException {
        // two stages' worth of distinct bytes from one big heap buffer: the second must not overwrite the first
        Path file = Files.createFile(dir.resolve("stages"));
        byte[] bytes = new byte[2 * DirectWrites.STAGE + 3];
        new java.util.Random(5).nextBytes(bytes);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Optional<DirectWrites> direct = DirectWrites.open(file, channel, 0);
            assumeTrue(direct.isPresent(), "the file system of the temporary folder does no direct writes");
            direct.get().write(ByteBuffer.wrap(bytes));
            direct.get().finish();
            direct.get().release();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
    }

    /** The generated stream of the whole upload from {@code offset} on, in odd read sizes with 0-byte reads. */
    private static InputStream skipped(long offset) throws IOException {
        InputStream all = new GeneratedStream(Long.MAX_VALUE / 2, 9, -1, 7_777, true);
        all.skipNBytes(offset);
        return all;
    }
}
