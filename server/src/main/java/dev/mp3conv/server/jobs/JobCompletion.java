package dev.mp3conv.server.jobs;

import java.util.Optional;

import dev.mp3conv.server.storage.BlobInfo;

/**
 * Completing a job with its MP3 and charging the MP3 to its owner's storage as one step: the MP3 counts
 * against the owner from the moment the job says it is there. An update whose answer was lost may still
 * have landed: the job is read again, and if it holds this MP3 the charge stands.
 */
public final class JobCompletion {
    private final JobRepository jobs;
    private final StorageQuota quota;

    /**
     * New completion.
     *
     * @param jobs  the jobs collection
     * @param quota the owners' storage
     */
    public JobCompletion(JobRepository jobs, StorageQuota quota) {
        this.jobs = jobs;
        this.quota = quota;
    }

    /** How a completion ended. */
    public sealed interface Outcome {
    }

    /**
     * The job is DONE with the MP3.
     *
     * @param job the DONE job
     */
    public record Done(Job job) implements Outcome {
    }

    /** The job is DONE with the MP3, but the store's answer was lost: the sweeper notifies its owner. */
    public record DoneUnanswered() implements Outcome {
    }

    /** The job was no longer the holder's to complete: nothing was recorded, the MP3 is the caller's to delete. */
    public record NotHeld() implements Outcome {
    }

    /**
     * CONVERTING → DONE with the MP3, charged to the owner.
     *
     * @param job     the job
     * @param holder  who holds it (the lease owner)
     * @param mp3     the stored MP3
     * @param sha256  its hex SHA-256
     * @param bitrate bitrate to record, null when variable or unknown
     * @return the outcome
     * @throws RuntimeException when the store fails and the job does not hold the MP3
     */
    public Outcome complete(Job job, String holder, BlobInfo mp3, String sha256, String bitrate) {
        try (StorageQuota.Reservation charge = quota.begin(job.owner())) {
            Optional<Job> done;
            try {
                done = jobs.complete(job.id(), holder, mp3.id(), mp3.length(), sha256, bitrate);
            } catch (RuntimeException e) {
                if (jobs.find(job.id()).map(j -> mp3.id().equals(j.mp3Fid())).orElse(false)) {
                    charge.commit(mp3.length());
                    return new DoneUnanswered();
                }
                throw e;
            }
            if (done.isEmpty()) {
                return new NotHeld();
            }
            charge.commit(mp3.length());
            return new Done(done.get());
        }
    }
}
