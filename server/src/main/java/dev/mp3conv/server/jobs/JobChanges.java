package dev.mp3conv.server.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Announces that a job changed, so whoever follows it (an SSE stream) reads it again at once instead
 * of polling. Changes made in this process are announced by {@link JobRepository}; a bridge (the
 * queue's job-event exchange) forwards them to other processes and hands theirs back through
 * {@link #changedElsewhere(String)}. An announcement carries only the id: the jobs collection stays
 * the source of truth, and a lost announcement costs the follower one slow poll.
 */
public final class JobChanges {
    private static final System.Logger LOG = System.getLogger(JobChanges.class.getName());

    private final Map<String, List<Runnable>> watchers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> forwarders = new CopyOnWriteArrayList<>();

    /**
     * Calls {@code onChange} each time the job is announced as changed, here or elsewhere, until
     * the returned handle is closed. It runs on the announcing thread: keep it short (wake a waiter).
     *
     * @param jobId    the job
     * @param onChange what to run
     * @return closes the watch
     */
    public Watch watch(String jobId, Runnable onChange) {
        watchers.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(onChange);
        return () -> watchers.computeIfPresent(jobId, (id, list) -> {
            list.remove(onChange);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * Forwards this process's announcements (e.g. to other processes through the queue).
     *
     * @param forwarder takes the id of each job changed here
     */
    public void forwardTo(Consumer<String> forwarder) {
        forwarders.add(forwarder);
    }

    /**
     * A job changed in this process.
     *
     * @param jobId the job
     */
    void changed(String jobId) {
        wake(jobId);
        for (Consumer<String> forwarder : forwarders) {
            try {
                forwarder.accept(jobId);
            } catch (RuntimeException e) {
                // followers fall back to polling; the change itself is stored
                LOG.log(System.Logger.Level.DEBUG, "could not forward a change of job " + jobId, e);
            }
        }
    }

    /**
     * A job changed in another process.
     *
     * @param jobId the job
     */
    public void changedElsewhere(String jobId) {
        wake(jobId);
    }

    /**
     * Number of jobs being watched (for tests and metrics).
     *
     * @return watched jobs
     */
    public int watched() {
        return watchers.size();
    }

    private void wake(String jobId) {
        List<Runnable> list = watchers.get(jobId);
        if (list != null) {
            list.forEach(Runnable::run);
        }
    }

    /** An open watch. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
