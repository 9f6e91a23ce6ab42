package dev.mp3conv.server.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects every line the process logs (through java.util.logging, where {@code System.Logger} writes)
 * while it is open, formatted as the console handler would write it, stack traces included: tests assert
 * what never reaches a log.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setFormatter(new SimpleFormatter());
        setLevel(Level.ALL);
    }

    /**
     * Starts capturing.
     *
     * @return the capture; close it to stop
     */
    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.root.addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            lines.add(getFormatter().format(record));
        }
    }

    /**
     * What was logged so far.
     *
     * @return formatted records
     */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
