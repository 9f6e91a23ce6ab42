package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Progress for logs and pipes: one plain line when something changed and the interval
 * has passed, and a last line when done. No carriage returns, no escape sequences. Byte counts show
 * the real speed (bytes moved in this run, not those a resumed transfer started with) and the time left.
 */
final class LineProgress implements Progress {
    private final PrintWriter err;
    private final Clock clock;
    private final Duration interval;
    private final String task;
    private final Progress.Unit unit;
    private final long max;
    private final long start;
    private final Instant started;
    private long current;
    private String status = "";
    private Instant lastLine;
    private String lastText = "";

    LineProgress(PrintWriter err, Clock clock, Duration interval, String task, Progress.Unit unit, long max, long start) {
        this.err = err;
        this.clock = clock;
        this.interval = interval;
        this.task = task;
        this.unit = unit;
        this.max = max;
        this.start = start;
        this.current = start;
        this.started = clock.instant();
    }

    @Override
    public synchronized void update(long current) {
        this.current = current;
        maybePrint(false);
    }

    @Override
    public synchronized void status(String text) {
        this.status = text == null ? "" : text;
        maybePrint(false);
    }

    @Override
    public synchronized void close() {
        maybePrint(true);
    }

    private void maybePrint(boolean last) {
        Instant now = clock.instant();
        String text = text();
        boolean due = lastLine == null || !now.isBefore(lastLine.plus(interval));
        if (!text.equals(lastText) && (due || last)) {
            err.println(task + ": " + text);
            err.flush();
            lastLine = now;
            lastText = text;
        }
    }

    private String text() {
        String amount;
        if (unit == Progress.Unit.BYTES) {
            amount = Bytes.human(current) + " of " + Bytes.human(max) + " (" + percent() + "%)" + speed();
        } else {
            amount = percent() + "%";
        }
        return status.isEmpty() ? amount : status + " " + amount;
    }

    private String speed() {
        long millis = Duration.between(started, clock.instant()).toMillis();
        if (millis < 1000 || current <= start || current >= max) {
            return "";
        }
        long perSecond = (current - start) * 1000 / millis;
        return ", " + Bytes.human(perSecond) + "/s, " + duration((max - current) / Math.max(1, perSecond)) + " left";
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
    }

    private long percent() {
        return max <= 0 ? 0 : Math.min(100, current * 100 / max);
    }
}
