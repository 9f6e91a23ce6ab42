package dev.mp3conv.server.jobs;

import java.time.Instant;

import dev.mp3conv.server.storage.BlobStore;

/**
 * Deletes resumable uploads that stayed unfinished past their {@code Upload-Expires}: the job record first
 * (conditionally, so a PATCH that just took the upload wins), then its bytes. Run by the {@link JobSweeper}.
 */
public final class UploadExpiry {
    private static final System.Logger LOG = System.getLogger(UploadExpiry.class.getName());
    private static final int BATCH = 500;

    private final UploadRepository uploads;
    private final BlobStore blobs;

    /**
     * New expiry.
     *
     * @param uploads upload records
     * @param blobs   where their bytes are
     */
    public UploadExpiry(UploadRepository uploads, BlobStore blobs) {
        this.uploads = uploads;
        this.blobs = blobs;
    }

    /**
     * Deletes what expired before {@code now}.
     *
     * @param now the time
     * @return number of uploads deleted
     */
    public int deleteExpired(Instant now) {
        int deleted = 0;
        for (UploadRepository.Upload upload : uploads.expired(now, BATCH)) {
            if (uploads.deleteExpired(upload.job().id(), now)) {
                blobs.deleteResumable(upload.job().videoFid());
                LOG.log(System.Logger.Level.INFO, "upload {0} expired unfinished at {1} of {2} bytes, deleted",
                        upload.job().id(), upload.offset(), upload.length());
                deleted++;
            }
        }
        return deleted;
    }
}
