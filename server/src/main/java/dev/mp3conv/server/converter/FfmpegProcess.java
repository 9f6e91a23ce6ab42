package dev.mp3conv.server.converter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One running ffmpeg (or ffprobe) process: starting it, reading its stderr on a virtual thread into
 * an {@link FfmpegLog} (which decides what each line means), waiting for it, killing and reaping it.
 * What leaves this class through the log has the input address hidden.
 */
final class FfmpegProcess implements AutoCloseable {
    private final Process process;
    private final FfmpegLog log;
    private final Thread stderrReader;
    private final StringBuilder stdout = new StringBuilder();
    private Consumer<List<String>> summaryListener;
    private volatile double outTimeSeconds;
    private volatile boolean terminated;
    private volatile boolean killed;

    private FfmpegProcess(Process process, String input) {
        this.process = process;
        this.log = new FfmpegLog(input);
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
     * Reads the process's standard output up to a bound, killing the process once the time is up (which ends
     * the read early, with what came until then).
     *
     * @param max     the most bytes to read
     * @param timeout how long the process may take
     * @return what the process wrote, at most {@code max} bytes
     * @throws IOException when stdout cannot be read
     */
    byte[] readStdout(int max, Duration timeout) throws IOException {
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeout);
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (InputStream out = stdout()) {
            return out.readNBytes(max);
        } finally {
            deadline.interrupt();
        }
    }

    /**
     * Reads the process's standard output until it ends (the process exits or is killed), keeping the first
     * {@code max} bytes and reading past the rest, so that the process never blocks on a full pipe.
     *
     * @param max the most bytes kept
     * @return the first bytes the process wrote, at most {@code max}
     * @throws IOException when stdout cannot be read (a killed process's pipe may be closed under the reader)
     */
    byte[] readStdoutToEnd(int max) throws IOException {
        try (InputStream out = stdout()) {
            byte[] kept = out.readNBytes(max);
            out.transferTo(java.io.OutputStream.nullOutputStream());
            return kept;
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
        return log.reason(exitCodeOrRunning());
    }

    /**
     * The input's summary as ffmpeg printed it (a process started with {@code -loglevel level+info}):
     * empty when ffmpeg could not open the input.
     *
     * @return lines without their level tag, in order
     */
    synchronized List<String> summary() {
        return log.summary();
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
            if (!log.summaryEnded()) {
                summaryListener = listener;
                return;
            }
            ready = log.summary();
        }
        listener.accept(ready);
    }

    /**
     * What the run's {@code ashowinfo@name} taps printed ({@link FfmpegLog#taps}).
     *
     * @return tap name to the pts of its first frame
     */
    synchronized java.util.Map<String, Long> taps() {
        return log.taps();
    }

    /**
     * All kept diagnostic lines.
     *
     * @return lines, oldest first
     */
    synchronized List<String> diagnostics() {
        return log.diagnostics();
    }

    /**
     * Kills the process and its descendants (ffmpeg spawns none, but a wrapper script might).
     */
    void kill() {
        killed = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /**
     * Asks ffmpeg to end ({@code SIGTERM}): it stops reading its input and finishes its outputs as at their end
     * (the tags of {@link SourceTags#OUTPUT} are printed then; measured: it exits 255 within 6–9 ms of the signal
     * once its input is open), and is killed if it has not ended within {@code grace}, so a run that ignores the
     * signal does not hold its slot.
     *
     * @param grace how long it may take to end
     */
    void terminate(Duration grace) {
        terminated = true;
        // the handle's, not Process.destroy(), which also closes this side of the pipes: the tags would be lost
        process.toHandle().destroy();
        Thread.ofVirtual().name("ffmpeg-term-" + process.pid()).start(() -> {
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                kill();
            }
        });
    }

    /**
     * Whether the process, asked to end ({@link #terminate}), ended by itself: its outputs were finished, none
     * was cut off by a kill.
     *
     * @return true when it was terminated and never killed
     */
    boolean endedOnTerm() {
        return terminated && !killed && !process.isAlive();
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
                boolean summaryDone;
                synchronized (this) {
                    summaryDone = log.accept(line);
                    outTimeSeconds = log.outTimeSeconds();
                }
                if (summaryDone) {
                    tellSummary();
                }
            }
        } catch (IOException e) {
            // the process was killed: nothing more to read
        } finally {
            synchronized (this) {
                log.end();
            }
            tellSummary();
        }
    }

    /** Tells the listener, outside the lock, once the summary has ended. */
    private void tellSummary() {
        Consumer<List<String>> listener;
        List<String> lines;
        synchronized (this) {
            listener = summaryListener;
            summaryListener = null;
            lines = log.summary();
        }
        if (listener != null) {
            listener.accept(lines);
        }
    }
}
