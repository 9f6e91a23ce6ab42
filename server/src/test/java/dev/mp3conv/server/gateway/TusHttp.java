package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Raw tus 1.0.0 requests over java.net.http, one method per request kind, headers as the test gives them. */
final class TusHttp {
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String token;

    TusHttp(int port, String token) {
        this.port = port;
        this.token = token;
    }

    HttpResponse<String> options(String path, String... headers) throws IOException, InterruptedException {
        return send("OPTIONS", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    /** Creation with an {@code Upload-Length} and metadata pairs ({@code key, value, key, value...}). */
    HttpResponse<String> create(long length, String... metadata) throws IOException, InterruptedException {
        return send("POST", "/api/v1/uploads", HttpRequest.BodyPublishers.noBody(),
                "Tus-Resumable", "1.0.0", "Upload-Length", String.valueOf(length), "Upload-Metadata", metadata(metadata));
    }

    /** The path of a new upload (asserting 201). */
    String created(long length, String... metadata) throws IOException, InterruptedException {
        HttpResponse<String> res = create(length, metadata);
        if (res.statusCode() != 201) {
            throw new AssertionError("creation answered " + res.statusCode() + ": " + res.body());
        }
        return res.headers().firstValue("Location").orElseThrow();
    }

    HttpResponse<String> head(String path, String... headers) throws IOException, InterruptedException {
        return send("HEAD", path, HttpRequest.BodyPublishers.noBody(), withTus(headers));
    }

    HttpResponse<String> patch(String path, long offset, byte[] body, String... headers)
            throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("Content-Type", "application/offset+octet-stream",
                "Upload-Offset", String.valueOf(offset)));
        all.addAll(List.of(headers));
        return send("PATCH", path, HttpRequest.BodyPublishers.ofByteArray(body), withTus(all.toArray(String[]::new)));
    }

    HttpResponse<String> delete(String path, String... headers) throws IOException, InterruptedException {
        return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), withTus(headers));
    }

    /** The offset HEAD reports (asserting 200). */
    long offset(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = head(path);
        if (res.statusCode() != 200) {
            throw new AssertionError("HEAD answered " + res.statusCode());
        }
        return Long.parseLong(res.headers().firstValue("Upload-Offset").orElseThrow());
    }

    HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body);
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String metadata(String... pairs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(pairs[i]).append(' ')
                    .append(Base64.getEncoder().encodeToString(pairs[i + 1].getBytes(StandardCharsets.UTF_8)));
        }
        return out.isEmpty() ? "filename " + Base64.getEncoder().encodeToString("upload.mp4".getBytes()) : out.toString();
    }

    private static String[] withTus(String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Tus-Resumable";
        all[1] = "1.0.0";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return all;
    }
}
