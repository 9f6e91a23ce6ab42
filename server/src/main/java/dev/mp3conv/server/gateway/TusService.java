package dev.mp3conv.server.gateway;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import dev.mp3conv.server.auth.AuthFilter;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.UploadRepository.Upload;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /api/v1/uploads}: the tus 1.0.0 resumable upload protocol with the creation,
 * creation-with-upload, termination, expiration and checksum extensions. OPTIONS needs no token (it only
 * describes the server); everything else needs the bearer token, and another user's upload is a 404 like a
 * missing one. Every answer carries {@code Tus-Resumable}; a request for another protocol version is 412.
 */
final class TusService implements HttpService {
    static final String VERSION = "1.0.0";
    static final String EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum";
    static final String CHECKSUMS = "sha1,sha256";
    static final String OCTETS = "application/offset+octet-stream";
    static final HeaderName TUS_RESUMABLE = HeaderNames.create("Tus-Resumable");
    static final HeaderName TUS_VERSION = HeaderNames.create("Tus-Version");
    static final HeaderName TUS_EXTENSION = HeaderNames.create("Tus-Extension");
    static final HeaderName TUS_MAX_SIZE = HeaderNames.create("Tus-Max-Size");
    static final HeaderName TUS_CHECKSUM_ALGORITHM = HeaderNames.create("Tus-Checksum-Algorithm");
    static final HeaderName UPLOAD_LENGTH = HeaderNames.create("Upload-Length");
    static final HeaderName UPLOAD_OFFSET = HeaderNames.create("Upload-Offset");
    static final HeaderName UPLOAD_METADATA = HeaderNames.create("Upload-Metadata");
    static final HeaderName UPLOAD_EXPIRES = HeaderNames.create("Upload-Expires");
    static final HeaderName UPLOAD_CHECKSUM = HeaderNames.create("Upload-Checksum");
    static final HeaderName UPLOAD_DEFER_LENGTH = HeaderNames.create("Upload-Defer-Length");
    static final HeaderName UPLOAD_CONCAT = HeaderNames.create("Upload-Concat");
    static final HeaderName METHOD_OVERRIDE = HeaderNames.create("X-HTTP-Method-Override");
    static final String PATH = "/api/v1/uploads";
    private static final Pattern NUMBER = Pattern.compile("\\d{1,19}");
    private static final Map<String, String> ALGORITHMS = Map.of("sha1", "SHA-1", "sha256", "SHA-256");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Handler authenticate;
    private final TusUploads uploads;

    TusService(Handler authenticate, TusUploads uploads) {
        this.authenticate = authenticate;
        this.uploads = uploads;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::protocol)
                .options("/", this::options)
                .options("/{id}", this::options)
                .any(authenticate)
                .post("/", this::create)
                .post("/{id}", this::overridden)
                .head("/{id}", this::head)
                .patch("/{id}", this::patch)
                .delete("/{id}", this::terminate);
    }

    /** Tus-Resumable on every answer (errors included), and the version check on every request but OPTIONS. */
    private void protocol(ServerRequest req, ServerResponse res) {
        res.header(TUS_RESUMABLE, VERSION);
        if (req.prologue().method() != Method.OPTIONS) {
            String asked = req.headers().first(TUS_RESUMABLE).orElse(null);
            if (!VERSION.equals(asked)) {
                res.header(TUS_VERSION, VERSION);
                throw new ProblemException(Status.PRECONDITION_FAILED_412, asked == null
                        ? "Tus-Resumable header missing: this is a tus " + VERSION + " endpoint"
                        : "tus version " + asked + " is not supported; use " + VERSION);
            }
        }
        res.next();
    }

    private void options(ServerRequest req, ServerResponse res) {
        res.header(TUS_VERSION, VERSION)
                .header(TUS_EXTENSION, EXTENSIONS)
                .header(TUS_MAX_SIZE, String.valueOf(uploads.config().maxSize()))
                .header(TUS_CHECKSUM_ALGORITHM, CHECKSUMS)
                .status(Status.NO_CONTENT_204)
                .send();
    }

    private void create(ServerRequest req, ServerResponse res) {
        if (req.headers().contains(UPLOAD_DEFER_LENGTH) || req.headers().contains(UPLOAD_CONCAT)) {
            throw ProblemException.badRequest("Upload-Defer-Length and Upload-Concat are not supported: "
                    + "send Upload-Length");
        }
        long length = number(req, UPLOAD_LENGTH).orElseThrow(() ->
                ProblemException.badRequest("Upload-Length header required"));
        Map<String, String> metadata = TusMetadata.parse(req.headers().first(UPLOAD_METADATA).orElse(null));
        boolean withBody = bodyLength(req).orElse(req.content().hasEntity() ? -1 : 0) != 0;
        if (withBody && !isOctets(req)) {
            throw new ProblemException(Status.UNSUPPORTED_MEDIA_TYPE_415,
                    "a creation request's body must be " + OCTETS);
        }
        Upload upload = uploads.create(AuthFilter.principal(req), length, metadata);
        String location = PATH + "/" + upload.job().id();
        res.header(HeaderNames.LOCATION, location);
        if (withBody) {
            upload = uploads.patch(AuthFilter.principal(req), upload.job().id(), 0, boxed(bodyLength(req)),
                    checksum(req), req.content().inputStream());
            res.header(UPLOAD_OFFSET, String.valueOf(upload.offset()));
        }
        expires(res, upload);
        res.status(Status.CREATED_201).send();
    }

    private void head(ServerRequest req, ServerResponse res) {
        Upload upload = uploads.head(AuthFilter.principal(req), id(req));
        res.header(UPLOAD_OFFSET, String.valueOf(upload.offset()))
                .header(UPLOAD_LENGTH, String.valueOf(upload.length()))
                .header(HeaderNames.CACHE_CONTROL, "no-store");
        expires(res, upload);
        res.status(Status.OK_200).send();
    }

    private void patch(ServerRequest req, ServerResponse res) {
        if (!isOctets(req)) {
            throw new ProblemException(Status.UNSUPPORTED_MEDIA_TYPE_415, "a PATCH body must be " + OCTETS);
        }
        long offset = number(req, UPLOAD_OFFSET).orElseThrow(() ->
                ProblemException.badRequest("Upload-Offset header required"));
        Upload upload = uploads.patch(AuthFilter.principal(req), id(req), offset, boxed(bodyLength(req)),
                checksum(req), req.content().inputStream());
        res.header(UPLOAD_OFFSET, String.valueOf(upload.offset()));
        expires(res, upload);
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * {@code POST} with {@code X-HTTP-Method-Override}: how clients on HTTP stacks without PATCH send it
     * (tus-java-client on {@code HttpURLConnection} always does).
     */
    private void overridden(ServerRequest req, ServerResponse res) {
        String method = req.headers().first(METHOD_OVERRIDE).orElse("").strip().toUpperCase(Locale.ROOT);
        switch (method) {
            case "PATCH" -> patch(req, res);
            case "DELETE" -> terminate(req, res);
            case "HEAD" -> head(req, res);
            default -> throw new ProblemException(Status.METHOD_NOT_ALLOWED_405,
                    "POST to an upload needs X-HTTP-Method-Override: PATCH, HEAD or DELETE");
        }
    }

    private void terminate(ServerRequest req, ServerResponse res) {
        uploads.terminate(AuthFilter.principal(req), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static void expires(ServerResponse res, Upload upload) {
        if (!upload.finished() && upload.expires() != null) {
            res.header(UPLOAD_EXPIRES, HTTP_DATE.format(upload.expires()));
        }
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static boolean isOctets(ServerRequest req) {
        return req.headers().contentType()
                .map(type -> type.mediaType().text().toLowerCase(Locale.ROOT).equals(OCTETS))
                .orElse(false);
    }

    private static OptionalLong bodyLength(ServerRequest req) {
        return req.headers().contentLength();
    }

    private static Optional<Long> boxed(OptionalLong value) {
        return value.isPresent() ? Optional.of(value.getAsLong()) : Optional.empty();
    }

    private static Optional<Long> number(ServerRequest req, HeaderName name) {
        Optional<String> value = req.headers().first(name).map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!NUMBER.matcher(value.get()).matches()) {
            throw ProblemException.badRequest(name.defaultCase() + " must be a non-negative integer");
        }
        try {
            return Optional.of(Long.parseLong(value.get()));
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name.defaultCase() + " is too large");
        }
    }

    private static Optional<TusUploads.Checksum> checksum(ServerRequest req) {
        Optional<String> header = req.headers().first(UPLOAD_CHECKSUM).map(String::strip);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = header.get().split(" ", -1);
        String algorithm = parts.length == 2 ? ALGORITHMS.get(parts[0].toLowerCase(Locale.ROOT)) : null;
        if (algorithm == null) {
            throw ProblemException.badRequest("Upload-Checksum must be '<algorithm> <base64>' with an algorithm of "
                    + CHECKSUMS);
        }
        try {
            return Optional.of(new TusUploads.Checksum(algorithm, Base64.getDecoder().decode(parts[1])));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("Upload-Checksum value is not Base64");
        }
    }
}
