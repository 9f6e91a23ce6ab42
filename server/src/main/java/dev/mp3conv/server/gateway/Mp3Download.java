package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.http.JsonBodies;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.http.Problems;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Sends a finished job's MP3: streamed from the blob store, with a strong {@code ETag} (the MP3 blob
 * id: a blob never changes), {@code If-None-Match}, single {@code Range} requests with {@code If-Range},
 * a {@code Content-Disposition} naming the original file, and the MP3's SHA-256 as {@code Repr-Digest}
 * (RFC 9530: the digest of the whole MP3, also on a range, so a client can check what it resumed).
 * A HEAD gets the headers of the GET without the body.
 */
final class Mp3Download {
    private static final String AUDIO_MPEG = "audio/mpeg";
    private static final HeaderName REPR_DIGEST = HeaderNames.create("Repr-Digest");

    private final BlobStore blobs;
    private final GatewayMetrics metrics;

    Mp3Download(BlobStore blobs, GatewayMetrics metrics) {
        this.blobs = blobs;
        this.metrics = metrics;
    }

    void send(ServerRequest req, ServerResponse res, Job job) {
        if (job.state() != JobState.DONE || job.mp3Fid() == null) {
            throw ProblemException.conflict("job " + job.id() + " is " + job.state() + ", its MP3 is not ready");
        }
        BlobInfo mp3 = blobs.info(job.mp3Fid())
                .orElseThrow(() -> ProblemException.notFound("the MP3 of job " + job.id() + " is missing"));
        String etag = "\"" + mp3.id() + "\"";
        res.header(HeaderNames.ETAG, etag);
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        res.header(HeaderNames.CACHE_CONTROL, "private, no-cache");
        if (job.mp3Sha256() != null) {
            res.header(REPR_DIGEST, "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(job.mp3Sha256())) + ":");
        }
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> matches(v, etag)).orElse(false)) {
            // RFC 9110 §8.6 wants no Content-Length here or the MP3's, but Helidon 4.5.0 sends "0" on
            // every 304 and no handler API avoids it: status(304) sets it (and throws if a length > 0
            // is set), send() sets it again when removed, and a length > 0 set after status() turns
            // the answer into a 500 that still announces that length without sending it (so worse:
            // it desynchronises the connection). "0" frames no body, so keep-alive stays in step
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        Optional<ByteRange> range;
        try {
            range = requestedRange(req, etag, mp3.length());
        } catch (ByteRange.Unsatisfiable e) {
            res.header(HeaderNames.CONTENT_RANGE, "bytes */" + e.length());
            Problems.send(req, res, Status.REQUESTED_RANGE_NOT_SATISFIABLE_416,
                    "the range is outside the MP3 (" + e.length() + " bytes)");
            return;
        }
        long offset = range.map(ByteRange::first).orElse(0L);
        long length = range.map(ByteRange::size).orElse(mp3.length());
        range.ifPresent(r -> res.header(HeaderNames.CONTENT_RANGE, r.contentRange()));
        res.status(range.isPresent() ? Status.PARTIAL_CONTENT_206 : Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, AUDIO_MPEG);
        res.header(HeaderNames.CONTENT_DISPOSITION, Filenames.attachment(Filenames.mp3Name(job.filename())));
        res.contentLength(length);
        if (JsonBodies.isHead(req)) {
            res.send();
            return;
        }
        stream(res, mp3.id(), offset, length);
    }

    private Optional<ByteRange> requestedRange(ServerRequest req, String etag, long size) {
        Optional<String> range = req.headers().first(HeaderNames.RANGE);
        if (range.isEmpty()) {
            return Optional.empty();
        }
        // If-Range: only serve the range of the representation the client already has part of
        boolean sameRepresentation = req.headers().first(HeaderNames.IF_RANGE)
                .map(v -> v.trim().equals(etag))
                .orElse(true);
        return sameRepresentation ? ByteRange.parse(range.get(), size) : Optional.empty();
    }

    private void stream(ServerResponse res, String blobId, long offset, long length) {
        long sent = 0;
        try (InputStream in = blobs.open(blobId, offset, length); OutputStream out = res.outputStream()) {
            sent = in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("while sending MP3 " + blobId, e);
        } finally {
            metrics.sent(sent);
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        return Arrays.stream(ifNoneMatch.split(","))
                .map(String::trim)
                .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
                .anyMatch(tag -> tag.equals("*") || tag.equals(etag));
    }
}
