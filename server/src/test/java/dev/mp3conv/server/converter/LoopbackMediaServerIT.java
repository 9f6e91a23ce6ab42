package dev.mp3conv.server.converter;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loopback endpoint ffmpeg reads from: byte ranges as RFC 9110 has them, only under a live token.
 */
class LoopbackMediaServerIT {
    private static final byte[] BYTES = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void servesRangesUnderItsTokenOnly() throws Exception {
        try (FileSystemBlobStore blobs = FileSystemBlobStore.open(dir);
             LoopbackMediaServer server = new LoopbackMediaServer(blobs)) {
            BlobInfo blob = blobs.write(new BlobMetadata("u", "j", "video/mp4", "v.mp4"), new ByteArrayInputStream(BYTES));
            LoopbackMediaServer.Served served = server.serve(blob.id(), blob.length());
            assertThat(served.url()).startsWith("http://127.0.0.1:");

            HttpResponse<String> whole = get(served.url(), null);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo("0123456789abcdefghij");
            assertThat(whole.headers().firstValue("Accept-Ranges")).contains("bytes");

            HttpResponse<String> open = get(served.url(), "bytes=15-");
            assertThat(open.statusCode()).isEqualTo(206);
            assertThat(open.body()).isEqualTo("fghij");
            assertThat(open.headers().firstValue("Content-Range")).contains("bytes 15-19/20");
            assertThat(get(served.url(), "bytes=2-4").body()).isEqualTo("234");
            assertThat(get(served.url(), "bytes=-3").body()).isEqualTo("hij");
            assertThat(get(served.url(), "bytes=20-").statusCode()).isEqualTo(416);

            String other = served.url().substring(0, served.url().lastIndexOf('/') + 1) + "not-a-token";
            assertThat(get(other, null).statusCode()).isEqualTo(404);
            served.close();
            assertThat(get(served.url(), null).statusCode()).isEqualTo(404);
        }
    }

    private HttpResponse<String> get(String url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
