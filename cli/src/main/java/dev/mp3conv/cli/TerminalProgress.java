package dev.mp3conv.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progressbar bar, redrawn in place on the terminal, with speed and time left for byte counts.
 */
final class TerminalProgress implements Progress {
    private final ProgressBar bar;

    TerminalProgress(PrintWriter err, String task, Progress.Unit unit, long max, long start) {
        PrintStream stream = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(stream));
        if (unit == Progress.Unit.BYTES) {
            boolean small = max < 4L * 1024 * 1024;
            builder.setUnit(small ? " KiB" : " MiB", small ? 1024 : 1024 * 1024).showSpeed();
        } else {
            builder.setUnit("%", 1).hideEta();
        }
        // a resumed transfer starts at `start`: speed and time left count only what moves in this run
        this.bar = builder.startsFrom(start, java.time.Duration.ZERO).build();
    }

    @Override
    public void update(long current) {
        bar.stepTo(current);
    }

    @Override
    public void status(String text) {
        bar.setExtraMessage(text);
    }

    @Override
    public void close() {
        bar.close();
    }
}
