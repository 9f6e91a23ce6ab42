package dev.mp3conv.model;

/**
 * Life cycle of a conversion job: {@code UPLOADING → QUEUED → CONVERTING → DONE | FAILED}; a job made by a
 * multipart upload starts at {@code QUEUED}.
 */
public enum JobState {
    /** A resumable (tus) upload still receiving bytes; progress is bytes received / total. */
    UPLOADING,
    /** Stored and waiting for a converter. */
    QUEUED,
    /** Claimed by a converter that holds a lease on it. */
    CONVERTING,
    /** The MP3 is stored and can be downloaded. */
    DONE,
    /** The conversion failed for good; the job carries the reason. */
    FAILED;

    /**
     * Whether no further state change will happen.
     *
     * @return true for {@link #DONE} and {@link #FAILED}
     */
    public boolean terminal() {
        return this == DONE || this == FAILED;
    }
}
