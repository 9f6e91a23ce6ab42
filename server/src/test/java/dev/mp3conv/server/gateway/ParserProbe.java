package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** The gateway's multipart parser for benches outside this package: drains every part of a body. */
public final class ParserProbe {
    private ParserProbe() {
    }

    /**
     * Reads every part of a multipart body into a discarding buffer, as the gateway reads an upload.
     *
     * @param contentType the body's Content-Type with its boundary
     * @param body        the body
     * @param buffer      where the bytes go
     * @return bytes of part content read
     * @throws IOException when the body is malformed
     */
    public static long drain(String contentType, InputStream body, byte[] buffer) throws IOException {
        MultipartParts parts = MultipartParts.of(contentType, body, Long.MAX_VALUE, 16, 2048);
        long read = 0;
        for (Optional<MultipartParts.Part> next = parts.next(); next.isPresent(); next = parts.next()) {
            InputStream content = next.get().content();
            for (int n; (n = content.read(buffer)) != -1; ) {
                read += n;
            }
        }
        return read;
    }
}
