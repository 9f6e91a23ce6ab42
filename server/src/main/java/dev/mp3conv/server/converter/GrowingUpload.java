package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;

import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;

/**
 * An upload that is still arriving, read front to back for ffmpeg (issue 24): each read takes what the shared
 * store holds past the reader's position ({@link BlobStore#openGrowing}, so the gateway that receives the bytes
 * may be another process, GridFS included), waits {@value #POLL_MS} ms when nothing new is there, and ends
 * once the upload is complete and every byte was read. No new byte for {@code idle} (the client paused or
 * went away) or the upload deleted (terminated, expired) gives up: the owner is told first, so ffmpeg is
 * killed before its input ends and never mistakes a cut for the end of the file.
 *
 * <p>Bytes read before the gateway committed them may still be dropped (a PATCH that fails its checksum and
 * is sent again): the reader hashes what it served, and {@link #matches} compares that, completed with the
 * rest of the finished blob, with the upload's SHA-256 before the MP3 is kept.
 */
final class GrowingUpload {
    private static final System.Logger LOG = System.getLogger(GrowingUpload.class.getName());
    static final long POLL_MS = 50;
    private static final int BUFFER = 256 * 1024;

    /** Why following stopped before the upload's end. */
    enum GiveUp { IDLE, GONE }

    private final BlobStore blobs;
    private final String blobId;
    private final Duration idle;
    private final Consumer<GiveUp> onGiveUp;
    /** The furthest any read got from byte 0 and the hash of those bytes. */
    private long servedUpTo;
    private MessageDigest servedDigest;
    private volatile boolean failed;
    private volatile boolean complete;
    /** Each read from byte 0 supersedes the earlier ones (ffmpeg runs one after another on the same input). */
    private final java.util.concurrent.atomic.AtomicInteger readers = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    GrowingUpload(BlobStore blobs, String blobId, Duration idle, Consumer<GiveUp> onGiveUp) {
        this.blobs = blobs;
        this.blobId = blobId;
        this.idle = idle;
        this.onGiveUp = onGiveUp;
    }

    /**
     * Copies the upload from its first byte to {@code out}, waiting for bytes that have not arrived yet.
     *
     * @param out where ffmpeg reads
     * @return true when the whole upload was copied, false when following gave up or the reader went away
     * @throws IOException when the store fails
     */
    boolean copyTo(OutputStream out) throws IOException {
        int reader = readers.incrementAndGet();
        MessageDigest digest = sha256();
        long position = 0;
        long lastByte = System.nanoTime();
        byte[] buffer = new byte[BUFFER];
        try {
            while (true) {
                InputStream in;
                Optional<BlobInfo> finished = Optional.empty();
                try {
                    in = blobs.openGrowing(blobId, position);
                } catch (NoSuchFileException e) {
                    // completed (the rest is in the blob) or deleted
                    finished = blobs.info(blobId);
                    if (finished.isEmpty()) {
                        giveUp(GiveUp.GONE);
                        return false;
                    }
                    in = blobs.open(blobId, position, Long.MAX_VALUE);
                }
                long copied;
                try (InputStream step = in) {
                    copied = copy(step, out, buffer, digest, position);
                } catch (ReaderGone e) {
                    return false;
                }
                position += copied;
                if (finished.isPresent()) {
                    complete = position == finished.get().length();
                    return complete;
                }
                if (copied > 0) {
                    lastByte = System.nanoTime();
                    continue;
                }
                if (closed || readers.get() != reader) {
                    // a reader waiting for bytes cannot tell that ffmpeg went away (nothing is written): the
                    // next run's read, or the end of the conversion, ends it
                    return false;
                }
                if (System.nanoTime() - lastByte > idle.toNanos()) {
                    giveUp(GiveUp.IDLE);
                    return false;
                }
                Thread.sleep(POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | RuntimeException e) {
            failed = true;
            LOG.log(System.Logger.Level.WARNING, "cannot follow upload {0} for ffmpeg: {1}", blobId, e.toString());
            throw e;
        }
    }

    /**
     * How far into the upload ffmpeg has read.
     *
     * @return bytes served from byte 0 by the furthest read
     */
    synchronized long served() {
        return servedUpTo;
    }

    /** Ends every read still waiting for bytes: the conversion is over. */
    void close() {
        closed = true;
    }

    private void giveUp(GiveUp why) {
        // before the response ends: ffmpeg must be killed, not see an early end of file as the end
        onGiveUp.accept(why);
    }

    private long copy(InputStream in, OutputStream out, byte[] buffer, MessageDigest digest, long from)
            throws IOException {
        long copied = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            if (n == 0) {
                continue;
            }
            try {
                out.write(buffer, 0, n);
                out.flush();
            } catch (IOException e) {
                // ffmpeg closed the connection (it stopped reading, or was killed)
                throw new ReaderGone();
            }
            digest.update(buffer, 0, n);
            copied += n;
            // what ffmpeg may have read counts, up to the last write, even when it goes away next
            keep(from + copied, digest);
        }
        return copied;
    }

    private synchronized void keep(long position, MessageDigest digest) {
        if (position > servedUpTo) {
            try {
                servedDigest = (MessageDigest) digest.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
            }
            servedUpTo = position;
        }
    }

    /**
     * Whether what ffmpeg was served is the upload as finished: the hash of the bytes served from byte 0,
     * completed with the rest of the finished blob, equals the upload's SHA-256.
     *
     * @param sha256 the finished upload's hex SHA-256
     * @return true when they are the same bytes
     * @throws IOException when the blob cannot be read
     */
    boolean matches(String sha256) throws IOException {
        MessageDigest digest;
        long from;
        synchronized (this) {
            digest = servedDigest == null ? sha256() : cloneOf(servedDigest);
            from = servedUpTo;
        }
        try (InputStream rest = blobs.open(blobId, from, Long.MAX_VALUE)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = rest.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return sha256 != null && HexFormat.of().formatHex(digest.digest()).equals(sha256);
    }

    /**
     * Whether the store failed while following (then an ffmpeg error is not the file's fault).
     *
     * @return true after a store error
     */
    boolean failed() {
        return failed;
    }

    private static MessageDigest cloneOf(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** ffmpeg went away mid-copy. */
    private static final class ReaderGone extends IOException {
        private static final long serialVersionUID = 1L;
    }
}
