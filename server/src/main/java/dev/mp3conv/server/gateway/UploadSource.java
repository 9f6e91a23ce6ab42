package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import dev.mp3conv.server.jobs.QuotaExceededException;
import dev.mp3conv.server.jobs.StorageQuota;

/**
 * The file part of an upload on its way into the blob store: counts the bytes, computes the SHA-256
 * (on a thread of its own, see {@link BackgroundSha256}) and stops at the size limit. It remembers whether a failure came from the request (client gone,
 * malformed body, too large) rather than from the store, so the caller can answer 4xx for the one
 * and 503 for the other.
 */
final class UploadSource extends InputStream {
    /** A body of unknown size reserves quota in steps of this much (one update of the count per step). */
    private static final long GROW_STEP = 1L << 20;

    private final InputStream part;
    private final long maxSize;
    private final StorageQuota.Reservation room;
    private final BackgroundSha256 sha256 = new BackgroundSha256();
    private long size;
    private IOException failure;
    private PatchBody.Renewal renewal;

    UploadSource(InputStream part, long maxSize, StorageQuota.Reservation room) {
        this.part = part;
        this.maxSize = maxSize;
        this.room = room;
    }

    /**
     * Tells the job of a multipart upload converted while it arrives how far its file got, after every read; a
     * false answer (the job was deleted meanwhile) fails the read. Called on the request's thread: it must be
     * cheap (the job's record is written elsewhere, {@link StreamedMultipart}).
     *
     * @param renewal called with the bytes read so far
     */
    void renewWith(PatchBody.Renewal renewal) {
        this.renewal = renewal;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    /**
     * Fills as much of {@code buffer} as the part has: the multipart parser hands out what one socket
     * read brought (often a few KiB), and passing that on would cost the store one write call each.
     * Never returns 0 for a non-empty request, so a 0-byte read (FINDINGS.md) cannot end a copy early.
     */
    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int filled = 0;
        while (filled < length) {
            int n = readPart(buffer, offset + filled, length - filled);
            if (n == -1) {
                break;
            }
            filled += n;
        }
        if (filled == 0) {
            return -1;
        }
        size += filled;
        if (size > maxSize) {
            failure = new UploadTooLargeException(maxSize);
            throw failure;
        }
        if (size > room.reserved()) {
            growRoom(size - room.reserved());
        }
        sha256.update(buffer, offset, filled);
        if (renewal != null && !renewal.renew(size)) {
            failure = new UploadGoneException();
            throw failure;
        }
        return filled;
    }

    /** Reserves a step ahead, or at the edge of the quota exactly what is needed; cuts the upload when even that does not fit. */
    private void growRoom(long needed) throws QuotaCutException {
        try {
            room.grow(Math.max(needed, GROW_STEP));
        } catch (QuotaExceededException ahead) {
            try {
                room.grow(needed);
            } catch (QuotaExceededException e) {
                failure = new QuotaCutException(e);
                throw (QuotaCutException) failure;
            }
        }
    }

    private int readPart(byte[] buffer, int offset, int length) throws IOException {
        try {
            return part.read(buffer, offset, length);
        } catch (IOException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            // Helidon reports a client that went away mid-body as an unchecked exception
            failure = new IOException("the request body ended early: " + e.getMessage(), e);
            throw failure;
        }
    }

    /**
     * Why reading the request failed, if it did.
     *
     * @return the failure, empty when the source read fine (a failed write is then the store's fault)
     */
    Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    long size() {
        return size;
    }

    /**
     * The SHA-256 of everything read, once the hasher has caught up.
     *
     * @return lowercase hex
     * @throws IOException when interrupted while waiting for the hasher
     */
    String sha256() throws IOException {
        return sha256.hex();
    }

    /** Stops the hasher if the hash was not taken (the upload failed). */
    void release() {
        if (!sha256.ended()) {
            sha256.abandon();
        }
    }

    /** The file passed its owner's storage quota while it arrived. */
    static final class QuotaCutException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient QuotaExceededException problem;

        QuotaCutException(QuotaExceededException problem) {
            super(problem.getMessage());
            this.problem = problem;
        }

        QuotaExceededException problem() {
            return problem;
        }
    }

    /** The job was deleted (or its hold lost) while its file arrived: nothing more is stored. */
    static final class UploadGoneException extends IOException {
        private static final long serialVersionUID = 1L;

        UploadGoneException() {
            super("the job was deleted while its file arrived");
        }
    }

    /** The file part passed the configured maximum size. */
    static final class UploadTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        UploadTooLargeException(long maxSize) {
            super("the upload is larger than the limit of " + maxSize + " bytes");
        }
    }
}
