package dev.mp3conv.server.jobs;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Retention, run by the {@link JobSweeper} in bounded batches: deletes videos and expires jobs whose time
 * came ({@link Retention}), deletes old tombstones and blobs that no job holds, and reconciles storage
 * counts with the jobs collection. Safe with several processes: each deletion is claimed in the jobs
 * collection first (one conditional update, one winner), and the record says the blob is gone before
 * the blob is deleted, so a crash in between leaves an orphan that a later sweep deletes, never a job
 * pointing at a deleted blob that comes back.
 */
public final class ExpirySweep {
    private static final System.Logger LOG = System.getLogger(ExpirySweep.class.getName());

    private final JobRepository jobs;
    private final BlobStore blobs;
    private final StorageQuota quota;
    private final int batch;
    /** Where the walk over the blob store goes on; empty: from the start. */
    private String orphanCursor = "";

    /**
     * New sweep.
     *
     * @param jobs  jobs collection (its {@link JobRepository#retention()} says how long files are kept)
     * @param blobs blob store
     * @param quota storage counts to credit
     * @param batch at most this many items per step and sweep
     */
    public ExpirySweep(JobRepository jobs, BlobStore blobs, StorageQuota quota, int batch) {
        this.jobs = jobs;
        this.blobs = blobs;
        this.quota = quota;
        this.batch = batch;
    }

    /**
     * One sweep.
     *
     * @return number of blobs and records deleted
     */
    public synchronized int sweep() {
        Instant now = jobs.now();
        int deleted = 0;
        for (Job job : jobs.videosDue(now, batch)) {
            deleted += deleteVideo(job, now) ? 1 : 0;
        }
        for (Job job : jobs.expiryDue(now, batch)) {
            deleted += expire(job, now) ? 1 : 0;
        }
        deleted += jobs.deleteTombstones(now.minus(jobs.retention().tombstones()), batch);
        deleted += deleteOrphans(now.minus(jobs.retention().orphans()));
        quota.reconcileSome(batch);
        if (deleted > 0) {
            LOG.log(System.Logger.Level.INFO, "retention deleted {0} expired file(s) and record(s)", deleted);
        }
        return deleted;
    }

    /**
     * Deletes a finished job's video if its time has come (at once when {@code RETAIN_VIDEOS} is 0).
     *
     * @param job the job
     * @return whether this caller deleted it
     */
    public boolean deleteVideoIfDue(Job job) {
        Instant now = jobs.now();
        return job.videoExpiresAt() != null && !job.videoExpiresAt().isAfter(now) && deleteVideo(job, now);
    }

    private boolean deleteVideo(Job job, Instant now) {
        try (StorageQuota.Reservation change = quota.begin(job.owner())) {
            Optional<Job> claimed = jobs.claimVideoDeletion(job.id(), now);
            if (claimed.isEmpty()) {
                return false;
            }
            change.commit(-claimed.get().size());
        }
        deleteBlob(job.id(), job.videoFid());
        return true;
    }

    private boolean expire(Job job, Instant now) {
        Optional<Job> claimed;
        try (StorageQuota.Reservation change = quota.begin(job.owner())) {
            claimed = jobs.claimExpiry(job.id(), now);
            if (claimed.isEmpty()) {
                return false;
            }
            change.commit(-claimed.get().storedBytes());
        }
        if (claimed.get().videoDeletedAt() == null) {
            deleteBlob(job.id(), job.videoFid());
        }
        if (job.mp3Fid() != null) {
            deleteBlob(job.id(), job.mp3Fid());
        }
        LOG.log(System.Logger.Level.DEBUG, "job {0} expired", job.id());
        return true;
    }

    private void deleteBlob(String jobId, String blobId) {
        if (blobId == null) {
            return;
        }
        try {
            blobs.delete(blobId);
        } catch (RuntimeException e) {
            // the record already says it is gone: the orphan walk deletes it later
            LOG.log(System.Logger.Level.WARNING, "job {0}: cannot delete blob {1} yet: {2}", jobId, blobId, e.getMessage());
        }
    }

    private int deleteOrphans(Instant before) {
        List<BlobInfo> page = blobs.olderThan(before, orphanCursor, batch);
        orphanCursor = page.size() < batch ? "" : page.getLast().id();
        int deleted = 0;
        for (BlobInfo blob : page) {
            if (!held(blob)) {
                LOG.log(System.Logger.Level.INFO, "deleting blob {0}: no job holds it (job {1})",
                        blob.id(), blob.metadata().jobId());
                deleted += blobs.delete(blob.id()) ? 1 : 0;
            }
        }
        return deleted;
    }

    /** Whether the blob's job still holds it: as its MP3, or as its video not yet deleted. */
    private boolean held(BlobInfo blob) {
        String jobId = blob.metadata().jobId();
        Optional<Job> job = jobId == null ? Optional.empty() : jobs.find(jobId);
        return job.filter(j -> j.expiredAt() == null)
                .filter(j -> blob.id().equals(j.mp3Fid()) || blob.id().equals(j.videoFid()) && j.videoDeletedAt() == null)
                .isPresent();
    }
}
