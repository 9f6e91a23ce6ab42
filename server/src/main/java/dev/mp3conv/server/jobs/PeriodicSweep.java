package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Runs a sweep every interval on a virtual thread of its own, logging what it republished and riding
 * out a failed sweep (the store or queue away): the next one tries again.
 */
public final class PeriodicSweep implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeriodicSweep.class.getName());

    private final String name;
    private final IntSupplier sweep;
    private final ScheduledExecutorService timer;

    private PeriodicSweep(String name, IntSupplier sweep) {
        this.name = name;
        this.sweep = sweep;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name(name).factory());
    }

    /**
     * Starts sweeping, the first time after one interval.
     *
     * @param name     the thread's name, and the log's
     * @param interval time between the end of one sweep and the start of the next
     * @param sweep    one sweep, returning how many messages it republished
     * @return the running sweep, to close
     */
    public static PeriodicSweep start(String name, Duration interval, IntSupplier sweep) {
        PeriodicSweep periodic = new PeriodicSweep(name, sweep);
        periodic.timer.scheduleWithFixedDelay(periodic::sweepQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        return periodic;
    }

    /** Stops sweeping (a sweep in progress is interrupted). */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    private void sweepQuietly() {
        try {
            int count = sweep.getAsInt();
            if (count > 0) {
                LOG.log(System.Logger.Level.INFO, "{0} republished {1} message(s)", name, count);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: sweep failed, will retry: {1}", name, e.toString());
        }
    }
}
