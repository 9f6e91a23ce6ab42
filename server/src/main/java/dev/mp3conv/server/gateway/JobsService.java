package dev.mp3conv.server.gateway;

import java.util.List;
import java.util.Optional;

import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.auth.Principal;
import dev.mp3conv.server.http.JsonBodies;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.storage.BlobStore;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.bson.types.ObjectId;

/**
 * {@code /api/v1/jobs}: upload, list, show, delete, follow (SSE) and download the caller's jobs.
 * Another user's job is answered exactly like a job that does not exist.
 */
final class JobsService implements HttpService {
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final Handler authenticate;
    private final JobSubmission submission;
    private final JobRepository jobs;
    private final BlobStore blobs;
    private final StorageQuota quota;
    private final Mp3Download download;
    private final JobEvents events;
    private final String publicUrl;

    JobsService(Handler authenticate, JobSubmission submission, JobRepository jobs, BlobStore blobs, StorageQuota quota,
                Mp3Download download, JobEvents events, String publicUrl) {
        this.authenticate = authenticate;
        this.submission = submission;
        this.jobs = jobs;
        this.blobs = blobs;
        this.quota = quota;
        this.download = download;
        this.events = events;
        this.publicUrl = publicUrl;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(authenticate)
                .post("/", this::upload)
                .get("/", this::list)
                .get("/{id}", this::show)
                .head("/{id}", this::show)
                .delete("/{id}", this::delete)
                .get("/{id}/events", this::events)
                .get("/{id}/mp3", this::mp3)
                .head("/{id}/mp3", this::mp3);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Job job = submission.submit(req, AuthFilter.principal(req), UploadReceiver.FilePart.FIELD_NAMED_FILE);
        res.header(HeaderNames.LOCATION, publicUrl + "/api/v1/jobs/" + job.id());
        JsonBodies.write(res, Status.ACCEPTED_202, job.view());
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal caller = AuthFilter.principal(req);
        int limit = limit(req);
        String cursor = req.query().first("cursor").asOptional().orElse(null);
        if (cursor != null && !ObjectId.isValid(cursor)) {
            throw ProblemException.badRequest("cursor is not one this API returned");
        }
        List<Job> page = jobs.list(caller.userId(), cursor, limit + 1);
        List<JobView> items = page.stream().limit(limit).map(Job::view).toList();
        String next = page.size() > limit ? items.getLast().id() : null;
        JsonBodies.write(res, Status.OK_200, new JobPage(items, next));
    }

    private void show(ServerRequest req, ServerResponse res) {
        JsonBodies.answer(req, res, Status.OK_200, live(req).view());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Job job = owned(req);
        // record first: a converter still working on it then fails its lease check and drops its MP3;
        // the record deleted says which blobs it still held (a tombstone holds none)
        Optional<Job> deleted;
        try (StorageQuota.Reservation change = quota.begin(job.owner())) {
            deleted = jobs.deleteReturning(job.id());
            deleted.ifPresent(gone -> change.commit(-gone.storedBytes()));
            if (job.state() == dev.mp3conv.model.JobState.UPLOADING) {
                // still a resumable write: a PATCH running now fails its commit and stops
                blobs.deleteResumable(job.videoFid());
            }
        }
        deleted.filter(gone -> gone.expiredAt() == null).ifPresent(gone -> {
            if (gone.videoDeletedAt() == null) {
                blobs.delete(gone.videoFid());
            }
            if (gone.mp3Fid() != null) {
                blobs.delete(gone.mp3Fid());
            }
        });
        res.status(Status.NO_CONTENT_204).send();
    }

    private void events(ServerRequest req, ServerResponse res) {
        events.stream(res, live(req));
    }

    private void mp3(ServerRequest req, ServerResponse res) {
        download.send(req, res, live(req));
    }

    private Job owned(ServerRequest req) {
        String id = req.path().pathParameters().get("id");
        return jobs.findOwned(id, AuthFilter.principal(req).userId()).orElseThrow(JobsService::noSuchJob);
    }

    /** The caller's job unless it expired (410 then). */
    private Job live(ServerRequest req) {
        return requireLive(owned(req), jobs.now());
    }

    /**
     * A job, unless it expired: from its expiry time on (the sweeper deletes its files shortly after) it
     * is answered 410 Gone, saying when it expired.
     *
     * @param job the job
     * @param now the time
     * @return the job
     * @throws ProblemException 410 when it expired
     */
    static Job requireLive(Job job, java.time.Instant now) {
        if (job.expiredAt() != null || job.expiresAt() != null && !job.expiresAt().isAfter(now)) {
            java.time.Instant when = job.expiresAt() != null ? job.expiresAt() : job.expiredAt();
            throw ProblemException.gone("job " + job.id() + " expired at " + when + ": its MP3 ("
                    + job.filename() + ") was deleted");
        }
        return job;
    }

    /**
     * The one answer for a job the caller cannot see, whether it is missing, malformed or someone else's.
     *
     * @return the 404 problem
     */
    static ProblemException noSuchJob() {
        return ProblemException.notFound("no such job");
    }

    private static int limit(ServerRequest req) {
        String value = req.query().first("limit").asOptional().orElse(null);
        if (value == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit < 1 || limit > MAX_PAGE) {
                throw ProblemException.badRequest("limit must be between 1 and " + MAX_PAGE);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("limit must be between 1 and " + MAX_PAGE);
        }
    }
}
