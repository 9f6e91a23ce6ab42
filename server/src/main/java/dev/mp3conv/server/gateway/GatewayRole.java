package dev.mp3conv.server.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.Role;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.auth.TokenVerifier;
import dev.mp3conv.server.jobs.StreamClaims;
import dev.mp3conv.server.jobs.UploadRepository;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.spi.ServerFeature;

/**
 * The gateway role: streaming uploads (multipart, and resumable tus uploads at {@code /api/v1/uploads}), the
 * jobs API, downloads, seed {@code /upload} and {@code /download}, and the web page at {@code /}.
 * Every API route needs a bearer token (but the tus OPTIONS, which only describes the server); jobs are visible
 * to their owner only. Without the auth role in the same
 * process, the auth routes are forwarded to {@code auth.url}, so clients only ever need the gateway.
 */
public final class GatewayRole implements RoleComponent {
    // events are pushed (JobChanges); this read only covers an announcement that got lost
    private static final Duration EVENTS_POLL = Duration.ofSeconds(2);

    private final JobsService jobsService;
    private final SeedService seedService;
    private final TusService tusService;
    private final ServerFeature cors;
    private final JobEvents events;
    private final Optional<AuthProxy> authProxy;
    private final WebPage webPage = WebPage.load();

    private GatewayRole(JobsService jobsService, SeedService seedService, TusService tusService, ServerFeature cors,
                        JobEvents events, Optional<AuthProxy> authProxy) {
        this.jobsService = jobsService;
        this.seedService = seedService;
        this.tusService = tusService;
        this.cors = cors;
        this.events = events;
        this.authProxy = authProxy;
    }

    /**
     * Creates the role.
     *
     * @param backend  shared infrastructure
     * @param settings the gateway's settings
     * @param verifier verifies bearer tokens
     * @return the role
     */
    public static GatewayRole create(Backend backend, GatewaySettings settings, TokenVerifier verifier) {
        long maxUpload = settings.maxUploadSize();
        Handler authenticate = new AuthFilter(verifier).handler();
        GatewayMetrics metrics = new GatewayMetrics(backend.meters());
        TusConfig tus = settings.uploads();
        UploadRepository uploadRecords = new UploadRepository(backend.mongo(), backend.clock(),
                backend.jobs().changes());
        if (backend.embedded()) {
            // this process owns the store: a lock left over can only be a PATCH its previous run died in, and
            // the client resuming now should not wait out the lease
            uploadRecords.unlockAll();
        }
        // one rule for both ways in (issue 24): tus uploads and multipart file parts convert while they arrive
        UploadStreaming streaming = new UploadStreaming(new StreamClaims(backend.mongo(), backend.clock(),
                backend.jobs().changes()), backend.blobs(), backend.publisher(), tus.stream());
        JobSubmission submission = new JobSubmission(new UploadReceiver(backend.blobs(), maxUpload, streaming),
                backend.blobs(), backend.jobs(), backend.publisher(), backend.quota(), metrics,
                new StreamedMultipart(uploadRecords, backend.blobs(), backend.publisher()));
        Mp3Download download = new Mp3Download(backend.blobs(), metrics);
        JobEvents events = new JobEvents(backend.jobs(), EVENTS_POLL);
        // without the auth role here, the auth routes are forwarded so this gateway stays the one entry point
        Optional<AuthProxy> authProxy = backend.roles().contains(Role.AUTH)
                ? Optional.empty()
                : settings.authUrl().map(url -> AuthProxy.to(URI.create(url)));
        TusUploads uploads = new TusUploads(uploadRecords, backend.blobs(), submission, UploadQuota.of(backend.quota()), tus,
                streaming);
        return new GatewayRole(
                new JobsService(authenticate, submission, backend.jobs(), backend.blobs(), backend.quota(), download, events,
                        settings.publicUrl()),
                new SeedService(authenticate, submission, backend.jobs(), download),
                new TusService(authenticate, uploads),
                TusCors.feature(tus),
                events,
                authProxy);
    }

    @Override
    public void routing(HttpRouting.Builder routing) {
        routing.register("/api/v1/jobs", jobsService)
                .register(TusService.PATH, tusService)
                .register(seedService)
                .register(new OpenApiDocument())
                .register(webPage);
        authProxy.ifPresent(proxy -> proxy.routing(routing));
    }

    @Override
    public List<ServerFeature> features() {
        return List.of(cors);
    }

    @Override
    public void close() {
        events.close();
    }
}
