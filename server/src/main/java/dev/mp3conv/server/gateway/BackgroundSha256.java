package dev.mp3conv.server.gateway;

import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * SHA-256 of an upload, computed on a virtual thread of its own while the request thread goes on
 * parsing and storing: hashing took a third of an upload's time on the request thread, and the
 * multipart parse, which must stay there, another half. The bytes are copied into a few reused
 * buffers ({@value #BUFFERS} × {@value #BUFFER_SIZE} bytes), so memory stays bounded whatever the
 * upload's size; when the hasher falls behind, {@link #update} waits for a free buffer.
 * Every instance must end with {@link #hex()} or {@link #abandon()}, which stop its thread.
 */
final class BackgroundSha256 {
    private static final int BUFFERS = 4;
    private static final int BUFFER_SIZE = 256 * 1024;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private final MessageDigest digest;
    private final BlockingQueue<Chunk> pending = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final Thread hasher;
    private int allocated;
    private byte[] filling;
    private int filled;
    private boolean ended;

    private record Chunk(byte[] bytes, int length) {
    }

    BackgroundSha256() {
        this(newDigest());
    }

    /**
     * Continues a hash (a resumable upload's, from its earlier requests).
     *
     * @param start SHA-256 state to go on from; owned by this instance from now on
     */
    BackgroundSha256(MessageDigest start) {
        digest = start;
        hasher = Thread.ofVirtual().name("upload-sha256").start(this::hashUntilEnd);
    }

    /**
     * Hands bytes to the hasher (copied: the caller may reuse its array at once).
     *
     * @param bytes  source array
     * @param offset first byte
     * @param length how many
     * @throws InterruptedIOException when interrupted while waiting for a free buffer
     */
    void update(byte[] bytes, int offset, int length) throws InterruptedIOException {
        if (ended) {
            throw new IllegalStateException("the hash was already taken or abandoned");
        }
        try {
            while (length > 0) {
                if (filling == null) {
                    filling = freeBuffer();
                    filled = 0;
                }
                int n = Math.min(length, filling.length - filled);
                System.arraycopy(bytes, offset, filling, filled, n);
                filled += n;
                offset += n;
                length -= n;
                if (filled == filling.length) {
                    pending.put(new Chunk(filling, filled));
                    filling = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new InterruptedIOException("interrupted while hashing the upload");
        }
    }

    /**
     * Waits for the hasher to take in every byte handed over and returns the hash.
     *
     * @return lowercase hex SHA-256
     * @throws InterruptedIOException when interrupted while waiting
     */
    String hex() throws InterruptedIOException {
        return HexFormat.of().formatHex(state().digest());
    }

    /**
     * Waits for the hasher to take in every byte handed over and returns the digest, not yet finished,
     * so more bytes can follow later.
     *
     * @return the SHA-256 state
     * @throws InterruptedIOException when interrupted while waiting
     */
    MessageDigest state() throws InterruptedIOException {
        if (ended) {
            throw new IllegalStateException("the hash was already taken or abandoned");
        }
        ended = true;
        try {
            if (filling != null && filled > 0) {
                pending.put(new Chunk(filling, filled));
            }
            filling = null;
            pending.put(END);
            hasher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            hasher.interrupt();
            throw new InterruptedIOException("interrupted while hashing the upload");
        }
        return digest;
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Whether {@link #hex()} or {@link #abandon()} ended it.
     *
     * @return true once ended
     */
    boolean ended() {
        return ended;
    }

    /** Stops the hasher without a result (the upload failed); safe to call more than once. */
    void abandon() {
        ended = true;
        filling = null;
        hasher.interrupt();
    }

    /** For tests: the hasher thread. */
    Thread thread() {
        return hasher;
    }

    private byte[] freeBuffer() throws InterruptedException {
        byte[] buffer = free.poll();
        if (buffer != null) {
            return buffer;
        }
        if (allocated < BUFFERS) {
            allocated++;
            return new byte[BUFFER_SIZE];
        }
        return free.take();
    }

    private void hashUntilEnd() {
        try {
            for (Chunk chunk = pending.take(); chunk != END; chunk = pending.take()) {
                digest.update(chunk.bytes(), 0, chunk.length());
                free.put(chunk.bytes());
            }
        } catch (InterruptedException e) {
            // abandoned: the upload failed and nobody wants the hash
        }
    }
}
