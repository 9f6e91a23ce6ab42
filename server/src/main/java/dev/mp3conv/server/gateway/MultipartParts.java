package dev.mp3conv.server.gateway;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

/**
 * The parts of a {@code multipart/form-data} body, one after the other, each part's content read
 * straight off the request stream without buffering it. The parsing is Jetty 12's
 * {@link MultiPart.Parser} (a push parser that searches the boundary with a skip table and hands out
 * slices of the input, 3.5–5 GB/s here against commons-fileupload2's 0.45–0.52 GB/s, which had capped
 * uploads at 0.15× of a disk write); this class only turns its callbacks back into a pull API. The
 * parser's events for one read of the socket are queued, and the read buffer is only reused once
 * every queued slice of it was consumed.
 */
final class MultipartParts {
    private static final int READ_SIZE = 64 * 1024;

    private final InputStream body;
    private final long maxBodySize;
    private final MultiPart.Parser parser;
    private final ArrayDeque<Object> events = new ArrayDeque<>();
    private byte[] buffer = new byte[READ_SIZE];
    private long bodySize;
    private boolean bodyEnded;
    private boolean complete;
    private Part current;

    private MultipartParts(InputStream body, String boundary, long maxBodySize, int maxParts, int maxHeaderLength) {
        this.body = body;
        this.maxBodySize = maxBodySize;
        this.parser = new MultiPart.Parser(boundary, new Events());
        parser.setMaxParts(maxParts);
        parser.setPartHeadersMaxLength(maxHeaderLength);
    }

    /**
     * Starts reading a multipart body.
     *
     * @param contentType     the request's {@code Content-Type}
     * @param body            the request body
     * @param maxBodySize     largest accepted body (parts, headers and boundaries)
     * @param maxParts        most parts accepted
     * @param maxHeaderLength most bytes of one part's headers
     * @return the parts
     * @throws MalformedMultipartException when the request is not {@code multipart/form-data} with a boundary
     */
    static MultipartParts of(String contentType, InputStream body, long maxBodySize, int maxParts, int maxHeaderLength)
            throws MalformedMultipartException {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new MalformedMultipartException("malformed multipart/form-data body: the request is not multipart/form-data");
        }
        String boundary = MultiPart.extractBoundary(contentType);
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new MalformedMultipartException("malformed multipart/form-data body: no valid boundary in its Content-Type");
        }
        return new MultipartParts(body, boundary, maxBodySize, maxParts, maxHeaderLength);
    }

    /**
     * The next part; the rest of the previous part's content is skipped.
     *
     * @return the part, empty after the last one
     * @throws IOException when the body is malformed, too large or ends early
     */
    Optional<Part> next() throws IOException {
        if (current != null) {
            current.skipRest();
            current = null;
        }
        if (complete) {
            return Optional.empty();
        }
        Object event = nextEvent();
        if (event instanceof Part part) {
            current = part;
            return Optional.of(part);
        }
        if (event == Marker.COMPLETE) {
            complete = true;
            return Optional.empty();
        }
        throw new MalformedMultipartException("malformed multipart/form-data body: content between parts");
    }

    private Object nextEvent() throws IOException {
        while (events.isEmpty()) {
            readMore();
        }
        Object event = events.poll();
        if (event instanceof Throwable failure) {
            throw new MalformedMultipartException(describe(failure));
        }
        return event;
    }

    private static String describe(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        // Jetty says "400: invalid byte 7" for a control character in a part header (RFC 9110 §5.5
        // lets a recipient refuse CTLs in field values; file names with them can still come encoded
        // as filename*=UTF-8''…, and are then sanitised like any other name)
        if (message.contains("invalid byte")) {
            return "malformed multipart/form-data body: a part header holds a control character";
        }
        if (failure instanceof EOFException || message.contains("EOF")) {
            return "malformed multipart/form-data body: it ended before its closing boundary";
        }
        return "malformed multipart/form-data body: " + message.replaceAll("\\p{Cntrl}", "?");
    }

    private void readMore() throws IOException {
        if (bodyEnded) {
            throw new MalformedMultipartException(
                    "malformed multipart/form-data body: it ended before its closing boundary");
        }
        int n;
        do {
            // a read may return 0 without being the end (FINDINGS.md): only -1 ends the body
            n = body.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n == -1) {
            bodyEnded = true;
            parser.parse(Content.Chunk.EOF);
            if (events.isEmpty()) {
                throw new MalformedMultipartException(
                        "malformed multipart/form-data body: it ended before its closing boundary");
            }
            return;
        }
        bodySize += n;
        if (bodySize > maxBodySize) {
            throw new BodyTooLargeException(maxBodySize);
        }
        // the parser's content chunks are slices of this array: the next read needs a fresh one
        // unless every slice was consumed (the queue is empty here, so it was)
        parser.parse(Content.Chunk.from(ByteBuffer.wrap(buffer, 0, n), false));
    }

    /** One part: its names and type from the headers, its content as a stream. */
    final class Part {
        private final String fieldName;
        private final String filename;
        private final String contentType;
        private final InputStream content = new PartContent();
        private Content.Chunk chunk;
        private boolean ended;

        private Part(String fieldName, String filename, String contentType) {
            this.fieldName = fieldName;
            this.filename = filename;
            this.contentType = contentType;
        }

        /**
         * The form field's name.
         *
         * @return the name, empty string when the part has none
         */
        String fieldName() {
            return fieldName == null ? "" : fieldName;
        }

        /**
         * The file name the client sent, as it sent it (hostile: sanitise before use).
         *
         * @return the file name, empty for a plain form field
         */
        Optional<String> filename() {
            return Optional.ofNullable(filename);
        }

        /**
         * Whether the part carries a file (it has a file name, as browsers and curl send it).
         *
         * @return true for a file part
         */
        boolean isFile() {
            return filename != null;
        }

        /**
         * The part's declared content type.
         *
         * @return the header's value, or null
         */
        String contentType() {
            return contentType;
        }

        /**
         * The part's bytes, up to its closing boundary.
         *
         * @return the content; reading past the part returns -1
         */
        InputStream content() {
            return content;
        }

        private void skipRest() throws IOException {
            while (!ended) {
                if (chunk != null) {
                    chunk.release();
                    chunk = null;
                }
                nextChunk();
            }
        }

        /** @return false at the end of the part */
        private boolean nextChunk() throws IOException {
            while (!ended && (chunk == null || !chunk.hasRemaining())) {
                if (chunk != null) {
                    chunk.release();
                    chunk = null;
                }
                Object event = nextEvent();
                if (event instanceof Content.Chunk next) {
                    chunk = next;
                } else if (event == Marker.PART_END) {
                    ended = true;
                } else {
                    throw new MalformedMultipartException("malformed multipart/form-data body: a part without its boundary");
                }
            }
            return !ended;
        }

        private final class PartContent extends InputStream {
            @Override
            public int read() throws IOException {
                if (!nextChunk()) {
                    return -1;
                }
                return chunk.getByteBuffer().get() & 0xff;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                if (!nextChunk()) {
                    return -1;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                int n = Math.min(length, bytes.remaining());
                bytes.get(target, offset, n);
                return n;
            }
        }
    }

    private enum Marker { PART_END, COMPLETE }

    /** Queues the parser's callbacks for the pull side. */
    private final class Events extends MultiPart.AbstractPartsListener {
        private String contentType;

        @Override
        public void onPartHeader(String name, String value) {
            super.onPartHeader(name, value);
            if ("content-type".equalsIgnoreCase(name)) {
                contentType = value;
            }
        }

        @Override
        public void onPartHeaders() {
            events.add(new Part(getName(), getFileName(), contentType));
            contentType = null;
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            // the parser releases its chunks when this returns; the queue holds its own reference
            if (chunk.hasRemaining()) {
                chunk.retain();
                events.add(chunk);
            }
        }

        @Override
        public void onPart(String name, String fileName, HttpFields headers) {
            events.add(Marker.PART_END);
        }

        @Override
        public void onComplete() {
            events.add(Marker.COMPLETE);
        }

        @Override
        public void onFailure(Throwable failure) {
            events.add(failure);
        }
    }

    /** The body is not a well-formed multipart/form-data body. */
    static final class MalformedMultipartException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedMultipartException(String message) {
            super(message);
        }
    }

    /** The body passed the size limit. */
    static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(long maxBodySize) {
            super("the request body is larger than " + maxBodySize + " bytes");
        }
    }
}
