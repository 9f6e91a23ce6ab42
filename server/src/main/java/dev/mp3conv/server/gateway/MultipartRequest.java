package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.RequestContext;

/**
 * A Helidon request as commons-fileupload sees it, so its streaming item iterator can read the body
 * straight off the socket. Helidon's own multipart module is not published for 4.5 (FINDINGS.md).
 */
final class MultipartRequest implements RequestContext {
    /** Only its header parsing is used: stateless. */
    private static final StreamingUpload NAMES = new StreamingUpload();
    private final ServerRequest request;

    private MultipartRequest(ServerRequest request) {
        this.request = request;
    }

    /**
     * Iterates the parts of a request without buffering them.
     *
     * @param request      the request
     * @param maxBodySize  largest accepted request body (file plus fields and part headers)
     * @return the parts, in order
     * @throws IOException when the request is not multipart, has no boundary or is too large
     */
    static FileItemInputIterator parts(ServerRequest request, long maxBodySize) throws IOException {
        StreamingUpload upload = new StreamingUpload();
        upload.setSizeMax(maxBodySize);
        upload.setHeaderCharset(StandardCharsets.UTF_8);
        return upload.getItemIterator(new MultipartRequest(request));
    }

    /**
     * The file name a part declares, as sent. {@code FileItemInput.getName()} throws an unchecked
     * {@code InvalidPathException} for a name with a NUL (a 500 whose message carried the raw name into
     * the log); the caller sanitises this one instead.
     *
     * @param part a part
     * @return its declared file name, null when it has none
     */
    static String rawFileName(FileItemInput part) {
        return NAMES.getFileName(part.getHeaders());
    }

    @Override
    public String getCharacterEncoding() {
        return StandardCharsets.UTF_8.name();
    }

    @Override
    public long getContentLength() {
        return request.headers().contentLength().orElse(-1L);
    }

    @Override
    public String getContentType() {
        return request.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
    }

    @Override
    public InputStream getInputStream() {
        return request.content().inputStream();
    }

    @Override
    public boolean isMultipartRelated() {
        return false;
    }

    /** Only the streaming iterator is used; the methods that would buffer parts on disk are refused. */
    private static final class StreamingUpload
            extends AbstractFileUpload<RequestContext, DiskFileItem, DiskFileItemFactory> {
        @Override
        public FileItemInputIterator getItemIterator(RequestContext request) throws IOException {
            return super.getItemIterator(request);
        }

        @Override
        public Map<String, List<DiskFileItem>> parseParameterMap(RequestContext request) {
            throw new UnsupportedOperationException("uploads are streamed, never buffered");
        }

        @Override
        public List<DiskFileItem> parseRequest(RequestContext request) {
            throw new UnsupportedOperationException("uploads are streamed, never buffered");
        }
    }
}
