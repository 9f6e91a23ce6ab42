package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Progress for logs and pipes: one plain line (the same text a terminal shows, {@link ProgressText})
 * when the percent or the state changed and the interval has passed, and a last line when done.
 * No carriage returns, no escape sequences.
 */
final class LineProgress implements Progress {
    private final PrintWriter err;
    private final Clock clock;
    private final Duration interval;
    private final ProgressText text;
    private long current;
    private String status = "";
    private Instant lastLine;
    private String lastShown = "";

    LineProgress(PrintWriter err, Clock clock, Duration interval, String task, Progress.Unit unit, long max, long start) {
        this.err = err;
        this.clock = clock;
        this.interval = interval;
        this.text = new ProgressText(task, unit, max, start, clock.instant());
        this.current = start;
    }

    @Override
    public synchronized void update(long current) {
        this.current = current;
        maybePrint(false);
    }

    @Override
    public synchronized void status(String text) {
        // shown with the next update, which comes with every state: a state and its percent are one line
        this.status = text == null ? "" : text;
    }

    @Override
    public synchronized void close() {
        maybePrint(true);
    }

    private void maybePrint(boolean last) {
        Instant now = clock.instant();
        String line = text.render(current, status, now);
        // speed and time left change with every update: a new line is worth printing when the
        // bar, the percent or the state moved, or at the end
        String shown = line.substring(0, line.indexOf('%') + 1) + status;
        boolean due = lastLine == null || !now.isBefore(lastLine.plus(interval));
        if (!shown.equals(lastShown) && (due || last)) {
            err.println(line);
            err.flush();
            lastLine = now;
            lastShown = shown;
        }
    }
}
