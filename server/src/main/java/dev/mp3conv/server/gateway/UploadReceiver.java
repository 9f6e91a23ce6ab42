package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a multipart upload: the one file part streams from the socket into the blob store (hashed and
 * counted on the way), the small form fields are kept. Any failure deletes what was stored, so a
 * rejected or interrupted upload leaves nothing behind. Part headers are limited to {@value #MAX_PART_HEADERS}
 * bytes each, parts to {@value #MAX_PARTS}, form fields to {@value #MAX_FIELD} bytes.
 */
final class UploadReceiver {
    private static final System.Logger LOG = System.getLogger(UploadReceiver.class.getName());
    static final String EXACTLY_ONE_FILE = "exactly 1 file required";
    private static final int MAX_PARTS = 16;
    private static final int MAX_FIELD = 1024;
    // room for a 255-character name in UTF-8 (up to 765 bytes), its filename* twin and a content type
    private static final int MAX_PART_HEADERS = 2048;
    /** Room for boundaries, part headers and form fields on top of the file itself. */
    private static final long ENVELOPE = 1024 * 1024;
    private static final String TOKEN = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}";
    private static final Pattern MEDIA_TYPE = Pattern.compile(TOKEN + "/" + TOKEN);

    private final BlobStore blobs;
    private final long maxUploadSize;
    private final UploadStreaming streaming;

    UploadReceiver(BlobStore blobs, long maxUploadSize) {
        this(blobs, maxUploadSize, null);
    }

    /**
     * With {@code streaming}, a file part's first bytes decide whether it converts while it arrives (issue 24).
     */
    UploadReceiver(BlobStore blobs, long maxUploadSize, UploadStreaming streaming) {
        this.blobs = blobs;
        this.maxUploadSize = maxUploadSize;
        this.streaming = streaming;
    }

    /** Starts the job of a file part that converts while it arrives (issue 24). */
    interface StreamStart {
        /**
         * The audio options the form fields before the file part ask, as fields (for {@link UploadStreaming#beforeBytes}).
         *
         * @param fieldsBefore the form fields so far
         * @return the audio fields
         * @throws ProblemException 400 for a bad value
         */
        Map<String, String> audioFields(Map<String, String> fieldsBefore);

        /**
         * Creates the UPLOADING job and publishes it.
         *
         * @param filename     sanitised file name
         * @param contentType  the part's content type
         * @param fieldsBefore the form fields before the file part
         * @param choice       the streaming choice its first bytes made
         * @return the receipt the part is stored through
         * @throws IOException when the store cannot start the blob
         */
        StreamedMultipart.Receiving start(String filename, String contentType, Map<String, String> fieldsBefore,
                                          JobStreaming choice) throws IOException;
    }

    /** Which part is the file. */
    enum FilePart {
        /** The API: the part named {@code file}. */
        FIELD_NAMED_FILE,
        /** The seed's {@code /upload}: the one part that carries a file name, whatever its field name. */
        ANY_FILE
    }

    /**
     * A stored upload.
     *
     * @param blob        the stored file
     * @param filename    sanitised original file name
     * @param contentType the part's content type
     * @param sha256      hex SHA-256 of the bytes
     * @param fields      the form fields sent with it
     * @param choice      whether it converts while it arrives, and why; null without streaming here
     * @param receiving   the UPLOADING job of a part that converted while it arrived, or null
     */
    record Received(BlobInfo blob, String filename, String contentType, String sha256, Map<String, String> fields,
                    JobStreaming choice, StreamedMultipart.Receiving receiving) {
        /**
         * Deletes what was stored: the job and blob of a streamed part, the blob of another.
         *
         * @param blobs the store
         */
        void discard(BlobStore blobs) {
            if (receiving != null) {
                receiving.discard();
            } else {
                blobs.delete(blob.id());
            }
        }
    }

    /**
     * Stores the file of a multipart request.
     *
     * @param request the request
     * @param owner   user id, recorded with the blob
     * @param jobId   job the blob will belong to
     * @param which   how the file part is recognised
     * @param room    the owner's storage reservation, grown as the file arrives past it
     * @param start   creates the job of a part chosen to convert while it arrives; null: never streamed
     * @return the stored upload; the caller {@link Received#discard}s it if it cannot use it
     * @throws ProblemException 400 for a malformed body or not exactly one file, 413 when too large or when
     *                          the file passes the owner's quota (what was stored is deleted)
     */
    Received receive(ServerRequest request, String owner, String jobId, FilePart which,
                     StorageQuota.Reservation room, StreamStart start) {
        BlobInfo stored = null;
        JobStreaming choice = null;
        StreamedMultipart.Receiving receiving = null;
        String filename = null;
        String contentType = null;
        String sha256 = null;
        Map<String, String> fields = new HashMap<>();
        try {
            MultipartParts parts = MultipartParts.of(request.headers().first(HeaderNames.CONTENT_TYPE).orElse(null),
                    request.content().inputStream(), maxUploadSize + ENVELOPE, MAX_PARTS + 1, MAX_PART_HEADERS);
            int count = 0;
            for (Optional<MultipartParts.Part> next = parts.next(); next.isPresent(); next = parts.next()) {
                MultipartParts.Part part = next.get();
                if (++count > MAX_PARTS) {
                    throw ProblemException.badRequest("more than " + MAX_PARTS + " parts");
                }
                if (!isFile(part, which)) {
                    fields.put(part.fieldName(), readField(part));
                    continue;
                }
                if (stored != null) {
                    throw ProblemException.badRequest(EXACTLY_ONE_FILE);
                }
                filename = Filenames.sanitise(part.filename().orElse(null));
                contentType = contentType(part.contentType());
                UploadSource source = new UploadSource(part.content(), maxUploadSize, room);
                try {
                    BlobMetadata metadata = new BlobMetadata(owner, jobId, contentType, filename);
                    if (streaming == null || start == null) {
                        stored = store(source, () -> blobs.write(metadata, source));
                    } else {
                        UploadStreaming.Head head = streaming.readHead(start.audioFields(Map.copyOf(fields)), source);
                        choice = head.choice();
                        InputStream whole = head.then(source);
                        if (head.streams()) {
                            receiving = start.start(filename, contentType, Map.copyOf(fields), choice);
                            source.renewWith(receiving::renew);
                            StreamedMultipart.Receiving target = receiving;
                            stored = store(source, () -> target.store(whole));
                        } else {
                            stored = store(source, () -> blobs.write(metadata, whole));
                        }
                    }
                    sha256 = source.sha256();
                } finally {
                    source.release();
                }
            }
            if (stored == null) {
                throw ProblemException.badRequest(which == FilePart.ANY_FILE ? EXACTLY_ONE_FILE
                        : "exactly 1 file required in the form field 'file'");
            }
            if (stored.length() == 0) {
                // nothing to convert: refused now rather than failed later by ffmpeg
                throw ProblemException.badRequest("the file is empty");
            }
            return new Received(stored, filename, contentType, sha256, Map.copyOf(fields), choice, receiving);
        } catch (IOException e) {
            discardQuietly(stored, receiving);
            throw requestProblem(e);
        } catch (RuntimeException e) {
            discardQuietly(stored, receiving);
            throw e;
        }
    }

    static String contentType(String declared) {
        // kept only when it looks like a media type: it is echoed in the API and in blob metadata
        return declared != null && MEDIA_TYPE.matcher(declared.trim()).matches()
                ? declared.trim().toLowerCase(Locale.ROOT) : "application/octet-stream";
    }

    private static boolean isFile(MultipartParts.Part part, FilePart which) {
        return which == FilePart.ANY_FILE ? part.isFile() : "file".equals(part.fieldName());
    }

    /** A write of the file part into the store. */
    private interface StoreCall {
        BlobInfo store() throws IOException;
    }

    /** Runs the write; a failure of the request (client gone, limits) is told apart from one of the store. */
    private static BlobInfo store(UploadSource source, StoreCall write) throws IOException {
        try {
            return write.store();
        } catch (UploadSource.UploadGoneException e) {
            throw e;
        } catch (IOException e) {
            if (source.failure().isPresent()) {
                throw source.failure().get();
            }
            throw new StoreUnavailableException("cannot store the upload: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (source.failure().isPresent()) {
                throw source.failure().get();
            }
            throw e;
        }
    }

    private static String readField(MultipartParts.Part part) throws IOException {
        try (InputStream in = part.content()) {
            byte[] value = in.readNBytes(MAX_FIELD + 1);
            if (value.length > MAX_FIELD) {
                // the field's name is the client's text: not echoed
                throw ProblemException.badRequest("a form field is longer than " + MAX_FIELD + " bytes");
            }
            return new String(value, StandardCharsets.UTF_8).trim();
        }
    }

    private ProblemException requestProblem(IOException e) {
        if (e instanceof UploadSource.QuotaCutException cut) {
            return cut.problem();
        }
        if (e instanceof UploadSource.UploadTooLargeException || e instanceof MultipartParts.BodyTooLargeException) {
            return ProblemException.tooLarge("the upload is larger than the limit of " + maxUploadSize + " bytes");
        }
        if (e instanceof UploadSource.UploadGoneException) {
            return ProblemException.conflict(e.getMessage());
        }
        if (e instanceof MultipartParts.MalformedMultipartException) {
            return ProblemException.badRequest(e.getMessage());
        }
        return ProblemException.badRequest("the upload could not be read: " + e.getMessage());
    }

    private void discardQuietly(BlobInfo blob, StreamedMultipart.Receiving receiving) {
        try {
            if (receiving != null) {
                receiving.discard();
            } else if (blob != null) {
                blobs.delete(blob.id());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete what a rejected upload stored (job {0}): {1}",
                    receiving == null ? "-" : receiving.jobId(), e.getMessage());
        }
    }
}
