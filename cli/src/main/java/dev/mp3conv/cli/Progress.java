package dev.mp3conv.cli;

import java.io.PrintWriter;

/**
 * Shows how far a transfer or conversion is. On a terminal a redrawn bar; otherwise plain
 * lines at most every few seconds, with no control characters, fit for logs and pipes.
 * Updates may come from any thread.
 */
interface Progress extends AutoCloseable {
    /**
     * @param current units done so far
     */
    void update(long current);

    /**
     * Replaces the short status text shown next to the progress (e.g. the job state).
     */
    void status(String text);

    @Override
    void close();

    /** What a progress counts. */
    enum Unit {
        /** Bytes, shown in MiB. */
        BYTES,
        /** Percent, 0..100. */
        PERCENT
    }

    /**
     * Opens a progress display on {@code err}.
     *
     * @param task  what is progressing, e.g. "Uploading talk.mp4"
     * @param max   units when done (bytes, or 100 for percent)
     * @param start units already done (a resumed download)
     */
    static Progress open(Environment env, PrintWriter err, String task, Unit unit, long max, long start) {
        return env.terminal()
                ? new TerminalProgress(err, task, unit, max, start)
                : new LineProgress(err, env.clock(), env.progressInterval(), task, unit, max, start);
    }
}
