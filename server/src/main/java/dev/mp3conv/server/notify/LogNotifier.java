package dev.mp3conv.server.notify;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;

/**
 * The notifier of the embedded default, without an SMTP server: one log line per finished job.
 */
final class LogNotifier implements OwnerNotifier {
    private static final System.Logger LOG = System.getLogger(LogNotifier.class.getName());

    @Override
    public String channel() {
        return "log";
    }

    @Override
    public void send(Job job) {
        if (job.state() == JobState.DONE) {
            LOG.log(System.Logger.Level.INFO, "job {0} done for {1}: {2} → MP3 fid {3} of {4} bytes; fetch with "
                            + "`mp3conv download {0}` or GET /download?fid={3}",
                    job.id(), job.ownerEmail(), job.filename(), job.mp3Fid(), String.valueOf(job.mp3Size()));
        } else {
            LOG.log(System.Logger.Level.INFO, "job {0} failed for {1}: {2}: {3}",
                    job.id(), job.ownerEmail(), job.filename(), job.error() == null ? "unknown reason" : job.error().message());
        }
    }
}
