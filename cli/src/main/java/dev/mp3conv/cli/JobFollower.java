package dev.mp3conv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

import dev.mp3conv.model.JobEvent;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;

/**
 * Follows a job until it is DONE or FAILED: Server-Sent Events first, polling when the
 * event stream is unavailable or ends early (proxies that buffer or cut streams).
 */
final class JobFollower {
    private final ApiClient api;
    private final Environment env;
    private final PrintWriter err;
    private final boolean verbose;

    JobFollower(ApiClient api, Environment env, PrintWriter err, boolean verbose) {
        this.api = api;
        this.env = env;
        this.err = err;
        this.verbose = verbose;
    }

    /**
     * @param label what to call the job on the progress line, e.g. its file name
     * @return the job in its terminal state
     */
    JobView follow(String id, String label) {
        try (Progress progress = Progress.open(env, err, "Converting " + label, Progress.Unit.PERCENT, 100, 0)) {
            Optional<JobEvent> end = Optional.empty();
            try {
                end = api.events(id, event -> show(progress, event.state(), event.progress()));
            } catch (IOException | UncheckedIOException e) {
                note("event stream unavailable (" + e.getMessage() + "); polling");
            } catch (ApiException e) {
                note("event stream answered " + e.status() + "; polling");
            }
            if (end.isEmpty()) {
                note("event stream ended before the job finished; polling");
            }
            while (true) {
                JobView job = api.job(id);
                show(progress, job.state(), job.progress());
                if (job.state() != null && job.state().terminal()) {
                    return job;
                }
                pause();
            }
        }
    }

    private static void show(Progress progress, JobState state, double fraction) {
        if (state == null) {
            return;
        }
        progress.status(state.name());
        progress.update(state == JobState.DONE ? 100 : Math.round(Math.max(0, Math.min(1, fraction)) * 100));
    }

    private void note(String message) {
        if (verbose) {
            err.println(message);
            err.flush();
        }
    }

    private void pause() {
        try {
            Thread.sleep(env.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.ERROR, "interrupted while waiting for the job", e);
        }
    }
}
