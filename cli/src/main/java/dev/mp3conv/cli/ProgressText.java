package dev.mp3conv.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The one look of every progress line, on a terminal (redrawn) and in a pipe (printed):
 * {@code Uploading talk.mp4:   [###-----]  40%  44.0 of 110.0 MiB  12.1 MiB/s  0:05 left}, which fits
 * an 80-column terminal for the usual file name.
 * Task names are padded and the bar has one width, so the bars of an upload, its conversion and
 * its download line up; sizes always read the same ({@link Bytes}); a conversion shows its
 * percent and state, never {@code 0/100%}; speed and time left appear once they can be known,
 * and a finished line says how long it took.
 */
final class ProgressText {
    /** Cells of the bar. */
    static final int BAR_WIDTH = 8;
    private static final int TASK_WIDTH = 22;
    /** Below this much time a rate says nothing (the first chunk of a transfer arrives at once). */
    private static final Duration MIN_FOR_RATE = Duration.ofMillis(500);

    private final String task;
    private final Progress.Unit unit;
    private final long max;
    private final long start;
    private final Instant opened;
    private Instant firstMove;
    private long firstValue;

    ProgressText(String task, Progress.Unit unit, long max, long start, Instant opened) {
        this.task = task;
        this.unit = unit;
        this.max = max;
        this.start = start;
        this.opened = opened;
    }

    /**
     * The line for a state of the work.
     *
     * @param current units done
     * @param status  state text (e.g. {@code CONVERTING}), may be empty
     * @param now     the time of the state
     * @return the line, without a line end
     */
    synchronized String render(long current, String status, Instant now) {
        if (firstMove == null && current > start) {
            firstMove = now;
            firstValue = current;
        }
        boolean done = max > 0 && current >= max;
        double fraction = max <= 0 ? 0 : Math.min(1.0, (double) current / max);
        StringBuilder line = new StringBuilder(pad(task + ": ", TASK_WIDTH)).append(bar(fraction))
                .append(String.format(Locale.ROOT, " %3d%%", (int) Math.floor(fraction * 100)));
        if (unit == Progress.Unit.BYTES) {
            line.append("  ").append(amount(current, max));
            Duration moving = Duration.between(opened, now);
            if (current > start && (done || moving.compareTo(MIN_FOR_RATE) >= 0) && !moving.isZero()) {
                double perSecond = (current - start) * 1e9 / moving.toNanos();
                line.append("  ").append(Bytes.human(Math.round(perSecond))).append("/s");
            }
        }
        if (status != null && !status.isEmpty()) {
            line.append("  ").append(status);
        }
        if (done) {
            line.append("  in ").append(clock(Duration.between(opened, now)));
        } else {
            timeLeft(current, now).ifPresent(left -> line.append("  ").append(clock(left)).append(" left"));
        }
        return line.toString();
    }

    private Optional<Duration> timeLeft(long current, Instant now) {
        // a transfer moves from the start; a conversion may wait in the queue before its first percent
        Instant from = unit == Progress.Unit.BYTES ? opened : firstMove;
        long fromValue = unit == Progress.Unit.BYTES ? start : firstValue;
        if (from == null || max <= 0 || current <= fromValue) {
            return Optional.empty();
        }
        Duration spent = Duration.between(from, now);
        if (spent.compareTo(MIN_FOR_RATE) < 0) {
            return Optional.empty();
        }
        double nanosPerUnit = (double) spent.toNanos() / (current - fromValue);
        return Optional.of(Duration.ofNanos(Math.round(nanosPerUnit * (max - current))));
    }

    /** {@code 44.0 of 110.0 MiB}; both units when they differ ({@code 512.0 KiB of 1.4 MiB}). */
    private static String amount(long current, long max) {
        String done = Bytes.human(current);
        String total = Bytes.human(max);
        String unit = total.substring(total.indexOf(' '));
        return done.endsWith(unit) ? done.substring(0, done.length() - unit.length()) + " of " + total
                : done + " of " + total;
    }

    private static String bar(double fraction) {
        int full = (int) Math.floor(fraction * BAR_WIDTH);
        return "[" + "#".repeat(full) + "-".repeat(BAR_WIDTH - full) + "]";
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    static String clock(Duration duration) {
        long seconds = Math.max(0, (duration.toMillis() + 500) / 1000);
        return seconds < 3600 ? String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
