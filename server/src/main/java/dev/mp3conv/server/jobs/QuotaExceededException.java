package dev.mp3conv.server.jobs;

import dev.mp3conv.server.http.ProblemException;
import io.helidon.http.Status;

/**
 * An upload would pass its owner's storage quota: 413, naming the quota and the current use.
 */
public final class QuotaExceededException extends ProblemException {
    private static final long serialVersionUID = 1L;

    private final long quota;
    private final long used;

    QuotaExceededException(long quota, long used, long asked) {
        super(Status.REQUEST_ENTITY_TOO_LARGE_413, "storage quota exceeded: " + used + " of " + quota
                + " bytes are in use (videos, MP3s and unfinished uploads), this upload needs " + asked
                + " more; delete jobs or wait for them to expire");
        this.quota = quota;
        this.used = used;
    }

    /**
     * The quota.
     *
     * @return bytes
     */
    public long quota() {
        return quota;
    }

    /**
     * Bytes in use when the upload was refused.
     *
     * @return bytes
     */
    public long used() {
        return used;
    }
}
