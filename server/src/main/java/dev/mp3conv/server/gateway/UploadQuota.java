package dev.mp3conv.server.gateway;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;

/**
 * The per-user storage quota as the resumable uploads ({@code /api/v1/uploads}) ask it: once at creation
 * with the declared length, and before every PATCH with the bytes it may add. The retention work plugs its
 * quota in here; until then {@link #UNLIMITED} admits everything.
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
