package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The body of one tus PATCH as the blob store reads it. A client that goes away mid-body ends the stream
 * early instead of failing it, so the store keeps (and syncs) what arrived and the offset moves on by that
 * much; more bytes than {@code limit} end it too, marked {@link End#TOO_LARGE}. On the way the bytes feed the
 * request's {@code Upload-Checksum} digest and the upload's SHA-256, and at most every
 * {@link #RENEW_EVERY_NANOS} the upload's lock is renewed: if it was lost (another PATCH took the upload
 * after this one stalled past the lease) the read fails before the bytes reach the store.
 */
final class PatchBody extends InputStream {
    /** How often a running PATCH renews its lock and publishes its progress. */
    static final long RENEW_EVERY_NANOS = 2_000_000_000L;

    /** How the body ended. */
    enum End {
        /** Not yet. */
        OPEN,
        /** The whole body was read. */
        COMPLETE,
        /** The connection failed mid-body. */
        CLIENT_GONE,
        /** The client sent more than it may. */
        TOO_LARGE
    }

    /** Renews the lock of the PATCH; returns false when it was lost. */
    interface Renewal {
        boolean renew(long received);
    }

    /** The lock was taken by another PATCH: nothing more may be written. */
    static final class LockLostException extends IOException {
        private static final long serialVersionUID = 1L;

        LockLostException() {
            super("the upload was taken over by another request");
        }
    }

    private final InputStream in;
    private final long limit;
    private final Optional<MessageDigest> checksum;
    private final BackgroundSha256 sha256;
    private final Renewal renewal;
    private long count;
    private long renewedAt = System.nanoTime();
    private End end = End.OPEN;

    /**
     * Wraps a request body.
     *
     * @param in       the request's content stream
     * @param limit    most bytes this PATCH may add
     * @param checksum digest for {@code Upload-Checksum}, if the client sent one
     * @param sha256   the upload's running SHA-256, or null when this process does not have its state
     * @param renewal  lock renewal
     */
    PatchBody(InputStream in, long limit, Optional<MessageDigest> checksum, BackgroundSha256 sha256, Renewal renewal) {
        this.in = in;
        this.limit = limit;
        this.checksum = checksum;
        this.sha256 = sha256;
        this.renewal = renewal;
    }

    End end() {
        return end;
    }

    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        while ((n = read(one, 0, 1)) == 0) {
            // the underlying stream may return 0 bytes mid-body
        }
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (end != End.OPEN) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int max = (int) Math.min(len, limit - count);
        int n;
        try {
            if (max == 0) {
                // at the limit: the body must end here
                end = in.read() == -1 ? End.COMPLETE : End.TOO_LARGE;
                return -1;
            }
            n = in.read(b, off, max);
        } catch (IOException | RuntimeException e) {
            // Helidon reports a connection closed mid-entity with unchecked exceptions of its own
            end = End.CLIENT_GONE;
            return -1;
        }
        if (n == -1) {
            end = End.COMPLETE;
            return -1;
        }
        if (System.nanoTime() - renewedAt > RENEW_EVERY_NANOS) {
            if (!renewal.renew(count)) {
                throw new LockLostException();
            }
            renewedAt = System.nanoTime();
        }
        checksum.ifPresent(digest -> digest.update(b, off, n));
        if (sha256 != null) {
            sha256.update(b, off, n);
        }
        count += n;
        return n;
    }
}
