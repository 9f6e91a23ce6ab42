package dev.mp3conv.server.queue;

/**
 * The two message streams of the pipeline.
 */
public enum Topic {
    /** An uploaded video waits for conversion. */
    VIDEO,
    /** A job finished (DONE or FAILED) and its owner is to be notified. */
    MP3
}
