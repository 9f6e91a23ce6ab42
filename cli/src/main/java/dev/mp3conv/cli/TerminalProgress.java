package dev.mp3conv.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;

/**
 * A progressbar bar, redrawn in place on the terminal: the library keeps the line in place and fits it
 * to the terminal's width; the text is {@link ProgressText}'s, the same as in a pipe.
 */
final class TerminalProgress implements Progress {
    private final ProgressBar bar;

    TerminalProgress(PrintWriter err, String task, Progress.Unit unit, long max, long start) {
        PrintStream stream = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
        ProgressText text = new ProgressText(task, unit, max, start, Instant.now());
        ProgressBarRenderer renderer = (state, width) -> {
            String line = text.render(state.getCurrent(), state.getExtraMessage(), Instant.now());
            return line.length() <= width ? line : line.substring(0, Math.max(0, width));
        };
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUpdateIntervalMillis(200)
                .setRenderer(renderer)
                .setConsumer(new ConsoleProgressBarConsumer(stream))
                .build();
        if (start > 0) {
            bar.stepTo(start);
        }
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
