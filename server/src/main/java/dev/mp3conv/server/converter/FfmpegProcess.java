package dev.mp3conv.server.converter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One running ffmpeg (or ffprobe) process. Its stderr is read on a virtual thread: {@code -progress}
 * lines update {@link #outTimeSeconds()}, other lines are kept (the last few) to explain a failure.
 * A process started with {@code -loglevel level+info} tags its lines with their level: then the
 * input's summary ({@code Input #0 … Duration … Stream …}, info level, up to the output's) is kept
 * apart as {@link #summary()}, errors go to the diagnostics and warnings are dropped.
 * Every line that leaves this class has the input address replaced by {@code input}: it may be a
 * loopback URL carrying a per-job token, or a server path.
 */
final class FfmpegProcess implements AutoCloseable {
    private static final int TAIL_LINES = 200;
    private static final Pattern PROGRESS = Pattern.compile(
            "^(frame|fps|stream_\\d+_\\d+_q|bitrate|total_size|out_time_us|out_time_ms|out_time|dup_frames"
                    + "|drop_frames|speed|progress)=(.*)$");
    private static final Pattern LEVELLED = Pattern.compile(
            "^((?:\\[[^\\]]*\\] )*)\\[(panic|fatal|error|warning|info|verbose|debug|trace)\\] ?(.*)$");
    private static final int SUMMARY_LINES = 500;
    private static final Pattern IGNORED = Pattern.compile(
            "^(At least one output file must be specified|To ignore this, add a trailing '\\?' to the map\\.)$");

    private final Process process;
    private final String input;
    private final Thread stderrReader;
    private final StringBuilder stdout = new StringBuilder();
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<String> summary = new ArrayList<>();
    private boolean summaryEnded;
    private Consumer<List<String>> summaryListener;
    private volatile double outTimeSeconds;

    private FfmpegProcess(Process process, String input) {
        this.process = process;
        this.input = input;
        this.stderrReader = Thread.ofVirtual().name("ffmpeg-stderr-" + process.pid()).start(this::readStderr);
    }

    /**
     * Starts a process; its stdout is the caller's to read (or to ignore when the output is a file).
     *
     * @param command executable and arguments
     * @param input   the input address to hide in messages
     * @return the running process
     * @throws IOException when it cannot start
     */
    static FfmpegProcess start(List<String> command, String input) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // tied to this JVM: a kill -9 of the converter takes its ffmpeg with it
        return new FfmpegProcess(ChildProcesses.start(builder), input);
    }

    /**
     * Runs a short process to its end, collecting stdout (ffprobe's JSON).
     *
     * @param command executable and arguments
     * @param input   the input address to hide in messages
     * @param timeout how long it may run
     * @param started told of the process once it runs (so that its owner can kill it)
     * @return the finished process
     * @throws IOException when it cannot start or runs out of time
     */
    static FfmpegProcess run(List<String> command, String input, Duration timeout, Consumer<FfmpegProcess> started)
            throws IOException {
        FfmpegProcess run = start(command, input);
        try (run) {
            started.accept(run);
            Thread reader = Thread.ofVirtual().start(() -> run.collectStdout());
            if (!run.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("ffmpeg did not finish within " + timeout);
            }
            reader.join(Duration.ofSeconds(5));
            run.stderrReader.join(Duration.ofSeconds(5));
            return run;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ffmpeg ran", e);
        }
    }

    /**
     * The process's standard output (the MP3 when writing to {@code pipe:1}).
     *
     * @return stdout
     */
    InputStream stdout() {
        return process.getInputStream();
    }

    /**
     * Waits for the end of the process and of its stderr.
     *
     * @return exit code
     * @throws InterruptedException when interrupted
     */
    int waitFor() throws InterruptedException {
        int exit = process.waitFor();
        stderrReader.join(Duration.ofSeconds(5));
        return exit;
    }

    /**
     * Exit code of a finished process.
     *
     * @return exit code
     */
    int exitCode() {
        return process.exitValue();
    }

    /**
     * How much output ffmpeg has written, in media seconds (from {@code -progress}).
     *
     * @return seconds
     */
    double outTimeSeconds() {
        return outTimeSeconds;
    }

    /**
     * What stdout said (after {@link #run}).
     *
     * @return stdout text
     */
    synchronized String stdoutText() {
        return stdout.toString();
    }

    /**
     * ffmpeg's last diagnostic line: its one-line reason for a failure.
     *
     * @return the line, or a generic text when it said nothing
     */
    synchronized String reason() {
        if (tail.isEmpty()) {
            return "ffmpeg exited with code " + exitCodeOrRunning() + " without a message";
        }
        String last = tail.getLast();
        if (last.startsWith("input: ") && tail.size() > 1) {
            // "input: Invalid data found…" says little; the line before names the cause ("moov atom not found")
            List<String> lines = new ArrayList<>(tail);
            return lines.get(lines.size() - 2) + " (" + last + ")";
        }
        return last;
    }

    /**
     * The input's summary as ffmpeg printed it (a process started with {@code -loglevel level+info}):
     * empty when ffmpeg could not open the input.
     *
     * @return lines without their level tag, in order
     */
    synchronized List<String> summary() {
        return List.copyOf(summary);
    }

    /**
     * Tells a listener of the input's summary once ffmpeg has printed it (at once if it has), so a
     * caller learns the duration while the conversion runs.
     *
     * @param listener told once, on the stderr reader's thread or this one
     */
    void onSummary(Consumer<List<String>> listener) {
        List<String> ready;
        synchronized (this) {
            if (!summaryEnded) {
                summaryListener = listener;
                return;
            }
            ready = List.copyOf(summary);
        }
        listener.accept(ready);
    }

    /**
     * All kept diagnostic lines.
     *
     * @return lines, oldest first
     */
    synchronized List<String> diagnostics() {
        return new ArrayList<>(tail);
    }

    /**
     * Kills the process and its descendants (ffmpeg spawns none, but a wrapper script might).
     */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Kills the process if still running and reaps it, so no zombie is left. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String exitCodeOrRunning() {
        return process.isAlive() ? "(running)" : String.valueOf(process.exitValue());
    }

    private void collectStdout() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            char[] buffer = new char[8192];
            int n;
            while ((n = reader.read(buffer)) != -1) {
                synchronized (this) {
                    stdout.append(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                accept(line.strip());
            }
        } catch (IOException e) {
            // the process was killed: nothing more to read
        } finally {
            endSummary();
        }
    }

    private void endSummary() {
        Consumer<List<String>> listener;
        List<String> lines;
        synchronized (this) {
            if (summaryEnded) {
                return;
            }
            summaryEnded = true;
            listener = summaryListener;
            summaryListener = null;
            lines = List.copyOf(summary);
        }
        if (listener != null) {
            listener.accept(lines);
        }
    }

    /** A line tagged with its level: the summary while it lasts, errors kept, the rest dropped. */
    private boolean acceptLevelled(String line) {
        Matcher levelled = LEVELLED.matcher(line);
        if (!levelled.matches()) {
            return false;
        }
        // the summary keeps its indentation: "  Duration:" and "  Stream #0:…" sit two spaces in,
        // metadata keys and values (the uploader's text) four or more, so they cannot pose as either
        String indented = sanitize(levelled.group(1) + levelled.group(3)).stripTrailing();
        String text = indented.strip();
        switch (levelled.group(2)) {
            case "panic", "fatal", "error" -> keep(text);
            case "info" -> {
                if (indented.startsWith("Output #") || indented.startsWith("Stream mapping:")) {
                    endSummary();
                }
                synchronized (this) {
                    if (!summaryEnded && summary.size() < SUMMARY_LINES && !text.isEmpty()) {
                        summary.add(indented);
                    }
                }
            }
            default -> {
                // warnings and chatter: not a reason, not the summary
            }
        }
        return true;
    }

    private void accept(String line) {
        if (line.isEmpty() || IGNORED.matcher(line).matches()) {
            return;
        }
        Matcher progress = PROGRESS.matcher(line);
        if (progress.matches()) {
            if ("out_time_us".equals(progress.group(1))) {
                endSummary();
                parseMicros(progress.group(2));
            }
            return;
        }
        if (!acceptLevelled(line)) {
            keep(sanitize(line));
        }
    }

    private synchronized void keep(String line) {
        if (line.isEmpty() || IGNORED.matcher(line).matches()) {
            return;
        }
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    private void parseMicros(String value) {
        try {
            long micros = Long.parseLong(value.trim());
            if (micros > 0) {
                outTimeSeconds = micros / 1_000_000.0;
            }
        } catch (NumberFormatException e) {
            // N/A before the first packet
        }
    }

    private String sanitize(String line) {
        // ffmpeg logs "[mp3 @ 0x55…]": the address tells users nothing
        String plain = input.startsWith("file:") ? input.substring("file:".length()) : input;
        return line.replace(input, "input").replace(plain, "input").replaceAll(" @ 0x[0-9a-f]+\\]", "]");
    }
}
