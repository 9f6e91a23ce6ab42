package dev.mp3conv.server.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link BlobStore} must have. Each implementation's test extends this.
 */
abstract class BlobStoreContract {
    static final long BIG = 50L * 1024 * 1024;
    static final BlobMetadata META = new BlobMetadata("u1", "j1", "video/mp4", "talk.mp4");

    abstract BlobStore store();

    /** Whether any bytes of a failed write remain anywhere in the store's backing storage. */
    abstract boolean anythingLeftBehind() throws IOException;

    /** Stores a blob the way the store did before random ids (an ObjectId id), bypassing {@link BlobStore#write}. */
    abstract void writeLegacy(String objectId, byte[] data) throws IOException;

    @Test
    void idsAreRandomUnrelatedToTheJobAndUnguessableFromEachOther() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(store().write(META, new ByteArrayInputStream(new byte[] {(byte) i})).id());
        }
        assertThat(ids).hasSize(50).allSatisfy(id -> {
            assertThat(id).matches("[0-9a-f]{32}").doesNotContain(META.jobId());
            assertThat(org.bson.types.ObjectId.isValid(id)).as("not an ObjectId (timestamp + counter)").isFalse();
        });
        // 128 random bits: consecutive ids share no long prefix or suffix, unlike ObjectIds of one process
        java.util.List<String> sorted = ids.stream().sorted().toList();
        for (int i = 1; i < sorted.size(); i++) {
            assertThat(commonPrefix(sorted.get(i - 1), sorted.get(i))).isLessThan(8);
        }
    }

    @Test
    void blobsStoredWithObjectIdsBeforeRandomIdsStayReadableAndDeletable() throws Exception {
        String legacy = new org.bson.types.ObjectId().toHexString();
        writeLegacy(legacy, new byte[] {4, 5, 6});
        assertThat(store().info(legacy)).hasValueSatisfying(info -> assertThat(info.length()).isEqualTo(3));
        try (InputStream in = store().open(legacy)) {
            assertThat(in.readAllBytes()).containsExactly(4, 5, 6);
        }
        assertThat(store().delete(legacy)).isTrue();
        assertThat(store().info(legacy)).isEmpty();
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    @Test
    void olderThanPagesThroughOldBlobsInIdOrderAndLeavesOutNewerOnes() throws Exception {
        java.util.List<String> old = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            old.add(store().write(META, new ByteArrayInputStream(new byte[] {(byte) i})).id());
        }
        java.time.Instant last = store().info(old.getLast()).orElseThrow().created();
        org.awaitility.Awaitility.await().until(() -> java.time.Instant.now().isAfter(last));
        java.time.Instant cut = java.time.Instant.now();
        org.awaitility.Awaitility.await().until(() -> java.time.Instant.now().isAfter(cut));
        String newer = store().write(META, new ByteArrayInputStream(new byte[] {9})).id();
        java.util.Collections.sort(old);

        java.util.List<BlobInfo> first = store().olderThan(cut, "", 2);
        assertThat(first).extracting(BlobInfo::id).containsExactly(old.get(0), old.get(1));
        assertThat(first.getFirst().metadata()).isEqualTo(META);
        java.util.List<BlobInfo> second = store().olderThan(cut, first.getLast().id(), 2);
        assertThat(second).extracting(BlobInfo::id).as("a short page ends the walk").containsExactly(old.get(2));
        assertThat(store().olderThan(java.time.Instant.now().plusSeconds(1), "", 10)).extracting(BlobInfo::id)
                .contains(newer).hasSize(4);
        store().delete(old.get(1));
        assertThat(store().olderThan(cut, "", 10)).extracting(BlobInfo::id).containsExactly(old.get(0), old.get(2));
    }

    @Test
    void fiftyMegabytesRoundTripWithTheSameSha256() throws Exception {
        DigestInputStream source = new DigestInputStream(new GeneratedStream(BIG, 42, -1), sha256());
        BlobInfo info = store().write(META, source);
        String written = HexFormat.of().formatHex(source.getMessageDigest().digest());

        assertThat(info.length()).isEqualTo(BIG);
        assertThat(store().info(info.id())).hasValueSatisfying(found -> {
            assertThat(found.length()).isEqualTo(BIG);
            assertThat(found.metadata()).isEqualTo(META);
        });
        MessageDigest read = sha256();
        long count = 0;
        try (InputStream in = store().open(info.id())) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) != -1) {
                read.update(buffer, 0, n);
                count += n;
            }
        }
        assertThat(count).isEqualTo(BIG);
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(written);
    }

    @Test
    void rangesReturnExactlyTheAskedBytes() throws Exception {
        byte[] data = new GeneratedStream(3 * 1024 * 1024 + 17, 7, -1).readAllBytes();
        BlobInfo info = store().write(META, new ByteArrayInputStream(data));

        assertRange(info.id(), data, 0, 10);
        assertRange(info.id(), data, 1024 * 1024 - 5, 10); // across a GridFS chunk boundary
        assertRange(info.id(), data, 2 * 1024 * 1024, 1024 * 1024 + 17); // last chunk to the end
        assertRange(info.id(), data, data.length - 1, 1);
        try (InputStream in = store().open(info.id(), data.length - 3, Long.MAX_VALUE)) {
            assertThat(in.readAllBytes()).hasSize(3);
        }
    }

    @Test
    void adoptingAFileStoresItsBytesAndConsumesTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        byte[] data = new GeneratedStream(2 * 1024 * 1024 + 5, 3, -1).readAllBytes();
        java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("ffmpeg-output.mp3"), data);
        BlobInfo info = store().adopt(META, file);
        assertThat(file).doesNotExist();
        assertThat(info.length()).isEqualTo(data.length);
        try (InputStream in = store().open(info.id())) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void emptyBlobIsStored() throws Exception {
        BlobInfo info = store().write(META, InputStream.nullInputStream());
        assertThat(info.length()).isZero();
        try (InputStream in = store().open(info.id())) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void failureMidWriteLeavesNothingBehind() {
        GeneratedStream failing = new GeneratedStream(BIG, 9, 20L * 1024 * 1024 + 3);
        assertThatThrownBy(() -> store().write(META, failing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("injected");
        assertThat(failing.position()).as("the store read up to the failure").isGreaterThan(20L * 1024 * 1024);
        assertThat(catchLeftovers()).as("no partial blob remains").isFalse();
    }

    @Test
    void deleteRemovesTheBlobAndUnknownIdsAreUnknown() throws Exception {
        BlobInfo info = store().write(META, new ByteArrayInputStream(new byte[] {1, 2, 3}));
        assertThat(store().delete(info.id())).isTrue();
        assertThat(store().info(info.id())).isEmpty();
        assertThat(store().delete(info.id())).isFalse();
        assertThat(store().info("not-an-object-id")).isEmpty();
        assertThat(store().info("0123456789abcdef01234567")).isEmpty();
        assertThat(store().info("0123456789abcdef0123456789abcdef")).isEmpty();
        assertThat(store().info("../../etc/passwd")).isEmpty();
        assertThatThrownBy(() -> store().open("0123456789abcdef01234567")).isInstanceOf(IOException.class);
        assertThat(catchLeftovers()).isFalse();
    }

    @Test
    void resumableWriteInUnevenPiecesBecomesTheExactBlobOnlyWhenComplete() throws Exception {
        byte[] data = new GeneratedStream(3 * 1024 * 1024 + 17, 11, -1).readAllBytes();
        String id = store().createResumable(META);
        // pieces that end inside a chunk, exactly on a chunk boundary, and span several chunks
        int[] cuts = {700 * 1024, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024, data.length};
        long offset = 0;
        for (int cut : cuts) {
            offset = store().append(id, offset, new ByteArrayInputStream(data, (int) offset, cut - (int) offset));
            assertThat(offset).isEqualTo(cut);
            assertThat(store().info(id)).as("invisible until complete").isEmpty();
        }
        BlobInfo info = store().completeResumable(id, data.length);
        assertThat(info.id()).isEqualTo(id);
        assertThat(info.length()).isEqualTo(data.length);
        assertThat(info.metadata()).isEqualTo(META);
        try (InputStream in = store().open(id)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(store().completeResumable(id, data.length).length()).as("completing again").isEqualTo(data.length);
        assertThat(store().deleteResumable(id)).as("a completed write is no longer resumable").isFalse();
        assertThat(store().info(id)).isPresent();
    }

    @Test
    void appendAtTheCommittedOffsetDropsBytesThatWereNeverCommitted() throws Exception {
        byte[] data = new GeneratedStream(3 * 1024 * 1024 + 5, 12, -1).readAllBytes();
        byte[] junk = new GeneratedStream(2 * 1024 * 1024, 13, -1).readAllBytes();
        String id = store().createResumable(META);
        long committed = store().append(id, 0, new ByteArrayInputStream(data, 0, 1024 * 1024 + 100));
        // an append whose commit never happened (checksum mismatch, crash before recording)
        assertThat(store().append(id, committed, new ByteArrayInputStream(junk))).isEqualTo(committed + junk.length);
        // within the last stored chunk, then within the tail
        long next = store().append(id, committed, new ByteArrayInputStream(data, (int) committed, 1000));
        store().append(id, next, new ByteArrayInputStream(junk, 0, 10));
        long end = store().append(id, next, new ByteArrayInputStream(data, (int) next, data.length - (int) next));
        assertThat(end).isEqualTo(data.length);
        store().completeResumable(id, end);
        try (InputStream in = store().open(id)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void appendPastWhatIsHeldOrToAnUnknownWriteFails() throws Exception {
        String id = store().createResumable(META);
        store().append(id, 0, new ByteArrayInputStream(new byte[10]));
        assertThatThrownBy(() -> store().append(id, 11, new ByteArrayInputStream(new byte[1])))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store().append("0123456789abcdef01234567", 0, InputStream.nullInputStream()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store().append("../../etc", 0, InputStream.nullInputStream()))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> store().completeResumable(id, 11)).isInstanceOf(IOException.class);
    }

    @Test
    void anUnfinishedWriteCanBeReadAsItGrowsEvenMidAppend() throws Exception {
        byte[] data = new GeneratedStream(4 * 1024 * 1024 + 300, 15, -1).readAllBytes();
        String id = store().createResumable(META);
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        long committed = store().append(id, 0, new ByteArrayInputStream(data, 0, 700 * 1024));
        readGrowing(id, read);
        assertThat(read.size()).as("the partial first chunk").isEqualTo(committed);
        // an append that stops mid-way (a slow client) until the reader has seen bytes of it
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        int pause = 3 * 1024 * 1024 + 5;
        InputStream slow = new java.io.SequenceInputStream(
                new ByteArrayInputStream(data, (int) committed, pause - (int) committed),
                new InputStream() {
                    private final InputStream rest = new ByteArrayInputStream(data, pause, data.length - pause);

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        return rest.read(b, off, len);
                    }
                });
        long start = committed;
        java.util.concurrent.CompletableFuture<Long> appending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return store().append(id, start, slow);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        // whole chunks (GridFS) or the bytes written so far (files) are readable before the append returns
        while (read.size() < 2 * 1024 * 1024 && System.nanoTime() < deadline) {
            readGrowing(id, read);
            Thread.onSpinWait();
        }
        assertThat(appending).as("still appending").isNotDone();
        assertThat(read.size()).isBetween(2 * 1024 * 1024, pause);
        go.countDown();
        assertThat(appending.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(data.length);
        readGrowing(id, read);
        assertThat(read.toByteArray()).isEqualTo(data);
        store().completeResumable(id, data.length);
        assertThatThrownBy(() -> store().openGrowing(id, 0)).as("completed").isInstanceOf(java.nio.file.NoSuchFileException.class);
        String gone = store().createResumable(META);
        store().deleteResumable(gone);
        assertThatThrownBy(() -> store().openGrowing(gone, 0)).as("deleted").isInstanceOf(java.nio.file.NoSuchFileException.class);
        assertThatThrownBy(() -> store().openGrowing("../../etc", 0)).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    /** Reads what the write holds past what was read so far, a step at a time, until a step brings nothing. */
    private void readGrowing(String id, java.io.ByteArrayOutputStream read) throws IOException {
        while (true) {
            try (InputStream in = store().openGrowing(id, read.size())) {
                byte[] step = in.readAllBytes();
                if (step.length == 0) {
                    return;
                }
                read.writeBytes(step);
            }
        }
    }

    @Test
    void deletedResumableWriteLeavesNothingBehind() throws Exception {
        String id = store().createResumable(META);
        store().append(id, 0, new GeneratedStream(2 * 1024 * 1024 + 3, 14, -1));
        assertThat(store().deleteResumable(id)).isTrue();
        assertThat(store().deleteResumable(id)).isFalse();
        assertThatThrownBy(() -> store().append(id, 0, InputStream.nullInputStream())).isInstanceOf(IOException.class);
        assertThat(catchLeftovers()).isFalse();
    }

    private boolean catchLeftovers() {
        try {
            return anythingLeftBehind();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertRange(String id, byte[] data, int offset, int length) throws IOException {
        byte[] expected = java.util.Arrays.copyOfRange(data, offset, offset + length);
        try (InputStream in = store().open(id, offset, length)) {
            assertThat(in.readAllBytes()).as("bytes %d..%d", offset, offset + length).isEqualTo(expected);
        }
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    /**
     * Pseudo-random bytes without holding them in memory; optionally fails at a given position, and optionally
     * reads in bounded sizes with 0-byte reads in between, as socket reads come.
     */
    static class GeneratedStream extends InputStream {
        private final long length;
        private final long failAt;
        private final int maxRead;
        private final boolean zeroReads;
        private final SplittableRandom random;
        private long position;
        private int calls;

        GeneratedStream(long length, long seed, long failAt) {
            this(length, seed, failAt, Integer.MAX_VALUE, false);
        }

        /**
         * @param maxRead   the most bytes one read returns
         * @param zeroReads whether every third read returns 0 bytes (which is not the end)
         */
        GeneratedStream(long length, long seed, long failAt, int maxRead, boolean zeroReads) {
            this.length = length;
            this.failAt = failAt;
            this.maxRead = maxRead;
            this.zeroReads = zeroReads;
            this.random = new SplittableRandom(seed);
        }

        long position() {
            return position;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            while ((n = read(one, 0, 1)) == 0) {
                // 0-byte reads are not the end
            }
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failAt >= 0 && position >= failAt) {
                throw new IOException("injected failure at byte " + position);
            }
            if (position >= length) {
                return -1;
            }
            if (zeroReads && calls++ % 3 == 1) {
                return 0;
            }
            long limit = failAt >= 0 ? Math.min(length, failAt) : length;
            int n = (int) Math.min(Math.min(len, maxRead), Math.max(1, limit - position));
            n = (int) Math.min(n, length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            position += n;
            return n;
        }
    }
}
