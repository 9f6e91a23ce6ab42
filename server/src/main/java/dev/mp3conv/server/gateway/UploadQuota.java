package dev.mp3conv.server.gateway;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.StorageQuota;

/**
 * The per-user storage quota as the resumable uploads ({@code /api/v1/uploads}) ask it: once at creation
 * with the declared length, and before every PATCH with the bytes it may add. {@link #of(StorageQuota)} is
 * the server's; {@link #UNLIMITED} admits everything (tests of the protocol alone).
 */
public interface UploadQuota {
    /** Admits every upload. */
    UploadQuota UNLIMITED = new UploadQuota() {
        @Override
        public void admitCreation(Principal owner, long declaredLength) {
        }

        @Override
        public void admitAppend(Principal owner, String jobId, long offset, long bytes) {
        }
    };

    /**
     * The quota of {@link StorageQuota}: an upload's declared length counts as stored from its creation
     * (an UPLOADING job holds its declared size, which is what reconciling from the jobs collection counts
     * too), so a PATCH needs no further check; a terminated upload gives its length back.
     *
     * @param quota the storage quota
     * @return the hook
     */
    static UploadQuota of(StorageQuota quota) {
        return new UploadQuota() {
            @Override
            public void admitCreation(Principal owner, long declaredLength) {
                try (StorageQuota.Reservation reservation = quota.reserve(owner.userId(), owner.admin(), declaredLength)) {
                    reservation.commit(declaredLength);
                }
            }

            @Override
            public void admitAppend(Principal owner, String jobId, long offset, long bytes) {
                // counted in full at creation
            }

            @Override
            public void released(Principal owner, long declaredLength) {
                try (StorageQuota.Reservation change = quota.begin(owner.userId())) {
                    change.commit(-declaredLength);
                }
            }
        };
    }

    /**
     * Called after an unfinished upload was terminated: what its creation admitted is free again.
     *
     * @param owner          the caller
     * @param declaredLength the upload's {@code Upload-Length}
     */
    default void released(Principal owner, long declaredLength) {
        // nothing was counted
    }

    /**
     * Called before an upload is created.
     *
     * @param owner          the caller
     * @param declaredLength the upload's {@code Upload-Length}
     * @throws ProblemException to refuse it (e.g. 413 or 403 with a reason the client sees)
     */
    void admitCreation(Principal owner, long declaredLength);

    /**
     * Called before a PATCH stores anything.
     *
     * @param owner  the caller
     * @param jobId  the upload
     * @param offset where the bytes go
     * @param bytes  at most this many bytes will be added (the request's length, or what remains)
     * @throws ProblemException to refuse the PATCH
     */
    void admitAppend(Principal owner, String jobId, long offset, long bytes);
}
