package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.mp3conv.server.jobs.Job;

/**
 * A conversion in flight: the claimed job, its ffmpeg process once started, its deadline, and why
 * it was stopped from outside (lease lost, timeout, shutdown, an input longer than the limit). Stopping kills the process at once
 * (a hand-over to segments asks it to end, {@link #stop}); stopping before the process starts kills it as soon as it is
 * attached.
 */
final class RunningConversion {
    /**
     * Why a conversion was stopped from outside (SEGMENTED: the input goes to segments instead; STREAM_ABANDONED:
     * a conversion following an upload gave up, the job converts after it; UPLOAD_GONE: the upload it followed
     * was terminated or expired).
     */
    enum Stop { LEASE_LOST, TIMEOUT, SHUTDOWN, TOO_LONG, SEGMENTED, STREAM_ABANDONED, UPLOAD_GONE }

    /**
     * How long a run ended for segments may take to finish its outputs before it is killed (and the tags are read
     * by a run of their own): it takes under 10 ms here.
     */
    static final Duration SEGMENTED_GRACE = Duration.ofMillis(500);

    private final Job job;
    private final String owner;
    private final long startNanos = System.nanoTime();
    private FfmpegProcess process;
    private final List<FfmpegProcess> helpers = new ArrayList<>();
    private Stop stop;
    private double expectedSeconds;
    private long deadlineNanos;
    private Duration budget;
    private Thread durationWrite;

    RunningConversion(Job job, String owner) {
        this.job = job;
        this.owner = owner;
    }

    Job job() {
        return job;
    }

    /** The lease owner of this conversion's claim ({@link ClaimOwner}): every store call under the claim names it. */
    String owner() {
        return owner;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    synchronized void attach(FfmpegProcess ffmpeg) {
        this.process = ffmpeg;
        if (stop != null) {
            ffmpeg.kill();
        }
    }

    /**
     * Attaches a process the conversion runs besides ffmpeg (the probe, after ffmpeg): killed by a stop
     * like ffmpeg, not used for progress. Its runner reaps it.
     *
     * @param helper the process
     */
    synchronized void attachHelper(FfmpegProcess helper) {
        helpers.add(helper);
        if (stop != null) {
            helper.kill();
        }
    }

    /**
     * Kills the ffmpeg run in progress without stopping the conversion: the caller runs another instead
     * (the run's summary showed that the job needs another path, e.g. a stream copy of MP3 audio).
     */
    synchronized void endRun() {
        if (process != null) {
            process.kill();
        }
    }

    /**
     * Stops the conversion: its processes are killed, except for a hand-over to segments, which asks the run to
     * end ({@link FfmpegProcess#terminate}) so that it finishes printing the source's tags; the split needs
     * them, and reading them again is another ffmpeg start (~50 ms). Any later stop kills it.
     *
     * @param reason why
     */
    synchronized void stop(Stop reason) {
        boolean first = stop == null;
        if (first) {
            stop = reason;
        }
        if (process != null) {
            if (first && reason == Stop.SEGMENTED) {
                process.terminate(SEGMENTED_GRACE);
            } else {
                process.kill();
            }
        }
        helpers.forEach(FfmpegProcess::kill);
    }

    synchronized Optional<Stop> stopped() {
        return Optional.ofNullable(stop);
    }

    synchronized void budget(double mediaSeconds, Duration timeout) {
        this.expectedSeconds = mediaSeconds;
        this.budget = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    synchronized void durationWrite(Thread writer) {
        this.durationWrite = writer;
    }

    /**
     * Waits for the job's duration to be written, if it is being written.
     *
     * @param atMost how long to wait
     * @throws InterruptedException when interrupted
     */
    void awaitDurationWrite(Duration atMost) throws InterruptedException {
        Thread writer;
        synchronized (this) {
            writer = durationWrite;
        }
        if (writer != null) {
            writer.join(atMost);
        }
    }

    synchronized double expectedSeconds() {
        return expectedSeconds;
    }

    synchronized Duration budget() {
        return budget;
    }

    /**
     * What is left of the time budget.
     *
     * @return the rest, zero or negative when spent; zero when no budget is set
     */
    synchronized Duration remaining() {
        if (budget == null) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    synchronized boolean pastDeadline() {
        return budget != null && System.nanoTime() - deadlineNanos > 0;
    }

    /**
     * Progress for the status API: output time over expected duration, kept below 1 until DONE.
     *
     * @return 0..0.99
     */
    synchronized double progress() {
        if (process == null || expectedSeconds <= 0) {
            return 0.0;
        }
        return Math.min(0.99, process.outTimeSeconds() / expectedSeconds);
    }
}
