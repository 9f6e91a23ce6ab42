package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.Retention;
import dev.mp3conv.server.jobs.UploadRepository;
import dev.mp3conv.server.jobs.UploadRepository.Upload;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.http.Status;
import org.bson.types.ObjectId;

/**
 * What the tus endpoint does, apart from HTTP: an upload is a job in state UPLOADING whose bytes go into a
 * resumable blob write as they arrive. The committed offset lives in the jobs collection and is only moved
 * after the store synced the bytes; a PATCH holds a lock with a lease there, so uploads survive restarts and
 * work across replicas. The PATCH that stores the last byte completes the blob, turns the job QUEUED (one
 * conditional update, so once) and publishes it like a multipart upload.
 */
final class TusUploads {
    private static final System.Logger LOG = System.getLogger(TusUploads.class.getName());
    /** How long a PATCH's lock lasts without a renewal (it renews every few seconds while bytes flow). */
    static final Duration LOCK_LEASE = Duration.ofSeconds(60);
    static final Status LOCKED = Status.create(423, "Locked");
    static final Status CHECKSUM_MISMATCH = Status.create(460, "Checksum Mismatch");

    private final UploadRepository uploads;
    private final BlobStore blobs;
    private final JobSubmission submission;
    private final UploadQuota quota;
    private final UploadDigests digests = new UploadDigests();
    private final TusConfig config;
    private final UploadStreaming streaming;

    TusUploads(UploadRepository uploads, BlobStore blobs, JobSubmission submission, UploadQuota quota,
               TusConfig config) {
        this(uploads, blobs, submission, quota, config, null);
    }

    /**
     * With {@code streaming}, an upload's first bytes decide whether it converts while it arrives (issue 24).
     */
    TusUploads(UploadRepository uploads, BlobStore blobs, JobSubmission submission, UploadQuota quota,
               TusConfig config, UploadStreaming streaming) {
        this.streaming = streaming;
        this.uploads = uploads;
        this.blobs = blobs;
        this.submission = submission;
        this.quota = quota;
        this.config = config;
    }

    /**
     * A checksum the client sent for one PATCH body.
     *
     * @param algorithm JDK name of the digest
     * @param expected  the digest's bytes
     */
    record Checksum(String algorithm, byte[] expected) {
    }

    TusConfig config() {
        return config;
    }

    /**
     * Creates an upload: checks the length and the metadata as strictly as a multipart form, asks the quota,
     * starts the blob write and stores the UPLOADING job.
     */
    Upload create(Principal owner, long length, Map<String, String> metadata) {
        if (length > config.maxSize()) {
            throw ProblemException.tooLarge("the upload is larger than the limit of " + config.maxSize() + " bytes");
        }
        Mp3Options options = JobSubmission.options(metadata);
        java.time.Duration keep = Retention.parseKeep(metadata.get("keep"));
        String filename = Filenames.sanitise(first(metadata, "filename", "name"));
        String contentType = UploadReceiver.contentType(first(metadata, "filetype", "type"));
        quota.admitCreation(owner, length);
        String jobId = new ObjectId().toHexString();
        String fid;
        try {
            fid = blobs.createResumable(new BlobMetadata(owner.userId(), jobId, contentType, filename));
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot start the upload: " + e.getMessage(), e);
        }
        Instant now = uploads.now().truncatedTo(ChronoUnit.MILLIS);
        Job job = Job.uploadingWith(jobId, owner.userId(), owner.email(), filename, contentType, length, fid,
                options, keep, now);
        Instant expires = now.plus(config.expiry());
        try {
            uploads.insert(job, length, expires);
        } catch (RuntimeException e) {
            blobs.deleteResumable(fid);
            throw e;
        }
        Upload upload = new Upload(job, length, 0, expires);
        if (length == 0) {
            // nothing will be PATCHed: complete at once
            String token = UUID.randomUUID().toString();
            return uploads.lock(jobId, owner.userId(), token, LOCK_LEASE)
                    .map(locked -> finish(locked, token, BackgroundSha256.newDigest()))
                    .orElse(upload);
        }
        return upload;
    }

    /** The caller's upload; 404 when unknown or someone else's, 410 when expired but not yet swept. */
    Upload find(Principal owner, String id) {
        Upload upload = uploads.findOwned(id, owner.userId()).orElseThrow(TusUploads::noSuchUpload);
        if (!upload.finished() && upload.expires() != null && upload.expires().isBefore(uploads.now())) {
            throw new ProblemException(Status.GONE_410, "the upload expired");
        }
        return upload;
    }

    /**
     * HEAD's view. An upload whose last PATCH stored every byte but failed before queueing the job (the
     * store or the jobs collection failed at that moment) is finished here, so it is never stranded.
     */
    Upload head(Principal owner, String id) {
        Upload upload = find(owner, id);
        if (!upload.finished() && upload.offset() == upload.length()) {
            String token = UUID.randomUUID().toString();
            Optional<Upload> locked = uploads.lock(id, owner.userId(), token, LOCK_LEASE);
            if (locked.isPresent()) {
                return finish(locked.get(), token, null);
            }
        }
        return upload;
    }

    /**
     * Appends one PATCH body at {@code offset}.
     *
     * @return the upload afterwards
     */
    Upload patch(Principal owner, String id, long offset, Optional<Long> contentLength, Optional<Checksum> checksum,
                 InputStream body) {
        // the lock comes first: in the usual case (the next PATCH of an upload nobody else writes to) it is the
        // only round trip to the jobs collection before the body, instead of a lookup and then the lock; the
        // reasons a PATCH is refused are worked out from a lookup only when the lock cannot be had
        String token = UUID.randomUUID().toString();
        Optional<Upload> taken = uploads.lock(id, owner.userId(), token, LOCK_LEASE);
        if (taken.isEmpty()) {
            Upload upload = find(owner, id);
            if (upload.finished() && offset == upload.length() && contentLength.orElse(0L) == 0) {
                return upload;
            }
            if (upload.finished() || offset != upload.offset()) {
                throw offsetMismatch(offset, upload);
            }
            throw new ProblemException(LOCKED, "another request is writing to this upload");
        }
        Upload locked = taken.get();
        long limit;
        try {
            limit = admit(owner, locked, offset, contentLength);
        } catch (RuntimeException e) {
            uploads.unlock(id, token);
            throw e;
        }
        return append(locked, token, limit, checksum, body);
    }

    /** The checks of a PATCH that holds the lock: expiry, offset, sizes, quota; the most bytes it may add. */
    private long admit(Principal owner, Upload upload, long offset, Optional<Long> contentLength) {
        if (upload.expires() != null && upload.expires().isBefore(uploads.now())) {
            throw new ProblemException(Status.GONE_410, "the upload expired");
        }
        if (offset != upload.offset()) {
            throw offsetMismatch(offset, upload);
        }
        long remaining = upload.length() - offset;
        long limit = Math.min(remaining, config.maxChunk());
        if (contentLength.isPresent() && contentLength.get() > remaining) {
            throw ProblemException.tooLarge("the body goes past Upload-Length (" + remaining + " bytes remain)");
        }
        if (contentLength.isPresent() && contentLength.get() > limit) {
            throw ProblemException.tooLarge("a PATCH body may be at most " + config.maxChunk()
                    + " bytes here: send smaller chunks");
        }
        quota.admitAppend(owner, upload.job().id(), offset, contentLength.orElse(limit));
        return limit;
    }

    private static ProblemException offsetMismatch(long offset, Upload upload) {
        return ProblemException.conflict("Upload-Offset " + offset + " does not match the upload's offset "
                + upload.offset());
    }

    private Upload append(Upload upload, String token, long limit, Optional<Checksum> checksum, InputStream body) {
        String id = upload.job().id();
        long offset = upload.offset();
        Optional<MessageDigest> start = offset == 0 ? Optional.of(BackgroundSha256.newDigest()) : digests.at(id, offset);
        BackgroundSha256 sha256 = start.map(BackgroundSha256::new).orElse(null);
        Optional<MessageDigest> check = checksum.map(c -> digest(c.algorithm()));
        InputStream watched = streaming == null ? body : streaming.watch(upload, body);
        PatchBody patch = new PatchBody(watched, limit, check, sha256, received -> uploads.renew(id, token, LOCK_LEASE,
                (double) (offset + received) / upload.length()));
        long stored;
        try {
            stored = blobs.append(upload.job().videoFid(), offset, patch);
        } catch (PatchBody.LockLostException e) {
            abandon(sha256);
            throw new ProblemException(LOCKED, "another request took over this upload");
        } catch (IOException | RuntimeException e) {
            abandon(sha256);
            uploads.unlock(id, token);
            throw e instanceof RuntimeException r ? r
                    : new StoreUnavailableException("cannot store the upload: " + e.getMessage(), e);
        }
        if (patch.end() == PatchBody.End.TOO_LARGE) {
            abandon(sha256);
            uploads.unlock(id, token);
            throw ProblemException.tooLarge("the body is longer than this upload or chunk may be");
        }
        if (checksum.isPresent()
                && (patch.end() != PatchBody.End.COMPLETE
                    || !MessageDigest.isEqual(check.get().digest(), checksum.get().expected()))) {
            // nothing of a body that does not match its checksum is kept: the next append drops it
            abandon(sha256);
            uploads.unlock(id, token);
            throw new ProblemException(CHECKSUM_MISMATCH, "the body does not match its Upload-Checksum");
        }
        MessageDigest state = hashed(sha256);
        if (stored == upload.length()) {
            return finish(new Upload(upload.job(), upload.length(), stored, upload.expires()), token, state);
        }
        Instant expires = uploads.now().plus(config.expiry()).truncatedTo(ChronoUnit.MILLIS);
        if (!uploads.commit(id, token, stored, upload.length(), expires)) {
            digests.forget(id);
            throw lostMeanwhile(upload);
        }
        if (state != null) {
            digests.put(id, stored, state);
        } else {
            digests.forget(id);
        }
        return new Upload(upload.job(), upload.length(), stored, expires);
    }

    private Upload finish(Upload upload, String token, MessageDigest state) {
        Job job = upload.job();
        BlobInfo blob;
        String sha256;
        try {
            blob = blobs.completeResumable(job.videoFid(), upload.length());
            sha256 = state != null ? HexFormat.of().formatHex(state.digest()) : hashStored(blob.id());
        } catch (IOException | RuntimeException e) {
            // every byte is stored: record that, and the next HEAD finishes the job
            uploads.commit(job.id(), token, upload.length(), upload.length(), uploads.now().plus(config.expiry()));
            throw new StoreUnavailableException("cannot complete the upload: " + e.getMessage(), e);
        }
        digests.forget(job.id());
        Optional<Job> finished = uploads.finish(job.id(), token, blob.id(), blob.length(), sha256);
        if (finished.isEmpty()) {
            if (uploads.findOwned(job.id(), job.owner()).isEmpty()) {
                // terminated while its last bytes arrived
                blobs.delete(blob.id());
                throw noSuchUpload();
            }
            throw new ProblemException(LOCKED, "another request took over this upload");
        }
        Job queued = finished.get();
        if (queued.state() == dev.mp3conv.model.JobState.QUEUED) {
            // CONVERTING: a converter read the upload as it arrived and goes on with it
            submission.publish(queued);
        }
        return new Upload(queued, upload.length(), upload.length(), null);
    }

    /** Termination: the upload and its bytes go. */
    void terminate(Principal owner, String id) {
        Upload upload = uploads.findOwned(id, owner.userId()).orElseThrow(TusUploads::noSuchUpload);
        if (upload.finished()) {
            throw ProblemException.conflict("the upload is complete; delete its job at /api/v1/jobs/" + id);
        }
        if (uploads.delete(id, owner.userId())) {
            blobs.deleteResumable(upload.job().videoFid());
            quota.released(owner, upload.job().size());
        }
        digests.forget(id);
    }

    /** A PATCH whose upload was terminated (or expired) while it ran: its bytes go too. */
    private ProblemException lostMeanwhile(Upload upload) {
        if (uploads.findOwned(upload.job().id(), upload.job().owner()).isEmpty()) {
            blobs.deleteResumable(upload.job().videoFid());
            return noSuchUpload();
        }
        return new ProblemException(LOCKED, "another request took over this upload");
    }

    private String hashStored(String blobId) throws IOException {
        LOG.log(System.Logger.Level.DEBUG, "upload {0} moved between processes: hashing it from the store", blobId);
        MessageDigest digest = BackgroundSha256.newDigest();
        try (InputStream in = blobs.open(blobId)) {
            byte[] buffer = new byte[256 * 1024];
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest hashed(BackgroundSha256 sha256) {
        if (sha256 == null) {
            return null;
        }
        try {
            return sha256.state();
        } catch (InterruptedIOException e) {
            return null;
        }
    }

    private static void abandon(BackgroundSha256 sha256) {
        if (sha256 != null && !sha256.ended()) {
            sha256.abandon();
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    private static String first(Map<String, String> metadata, String key, String alias) {
        String value = metadata.get(key);
        return value == null || value.isEmpty() ? metadata.get(alias) : value;
    }

    static ProblemException noSuchUpload() {
        return ProblemException.notFound("no such upload");
    }
}
