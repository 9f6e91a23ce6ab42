package dev.mp3conv.server.gateway;

import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.http.JsonBodies;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The course system's routes, kept so its clients work: {@code POST /upload} (one file part under any
 * field name) and {@code GET /download?fid=<mp3 id or job id>}. Unlike the original, a download is only the owner's.
 */
final class SeedService implements HttpService {
    private final Handler authenticate;
    private final JobSubmission submission;
    private final JobRepository jobs;
    private final Mp3Download download;

    SeedService(Handler authenticate, JobSubmission submission, JobRepository jobs, Mp3Download download) {
        this.authenticate = authenticate;
        this.submission = submission;
        this.jobs = jobs;
        this.download = download;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/upload", authenticate)
                .any("/download", authenticate)
                .post("/upload", this::upload)
                .get("/download", this::download)
                .head("/download", this::download);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Job job = submission.submit(req, AuthFilter.principal(req), UploadReceiver.FilePart.ANY_FILE);
        JsonBodies.write(res, Status.OK_200, job.view());
    }

    private void download(ServerRequest req, ServerResponse res) {
        String fid = req.query().first("fid").asOptional().filter(s -> !s.isBlank())
                .orElseThrow(() -> ProblemException.badRequest("fid required"));
        String owner = AuthFilter.principal(req).userId();
        // the course system's clients know the MP3's fid; a client that only kept what /upload
        // answered knows the job id: both name the same MP3
        Job job = jobs.findByMp3(fid, owner).or(() -> jobs.findOwned(fid, owner))
                .orElseThrow(() -> ProblemException.notFound("no such file"));
        download.send(req, res, JobsService.requireLive(job, jobs.now()));
    }
}
