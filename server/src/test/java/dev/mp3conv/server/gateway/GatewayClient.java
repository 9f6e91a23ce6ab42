package dev.mp3conv.server.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;

/** A test client of the gateway over real HTTP, with hand-built multipart bodies. */
final class GatewayClient {
    static final String BOUNDARY = "----mp3conv-test-boundary-7d3f";

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String token;

    GatewayClient(int port, String token) {
        this.port = port;
        this.token = token;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).GET();
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> getText(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return http.send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> upload(String path, Multipart body) throws IOException, InterruptedException {
        return post(path, "multipart/form-data; boundary=" + BOUNDARY, body.bytes());
    }

    /** Uploads one file to the API and returns the job it created. */
    JobView uploadJob(String filename, byte[] content) throws IOException, InterruptedException {
        HttpResponse<String> res = upload("/api/v1/jobs", new Multipart().file("file", filename, "video/mp4", content));
        if (res.statusCode() != 202) {
            throw new AssertionError("upload answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A multipart/form-data body with {@link #BOUNDARY}. */
    static final class Multipart {
        private final List<byte[]> parts = new ArrayList<>();
        private boolean closed = true;

        Multipart field(String name, String value) {
            return part(Map.of("Content-Disposition", "form-data; name=\"" + name + "\""),
                    value.getBytes(StandardCharsets.UTF_8));
        }

        Multipart file(String name, String filename, String contentType, byte[] content) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Disposition", "form-data; name=\"" + name + "\"; filename=\"" + filename + "\"");
            headers.put("Content-Type", contentType);
            return part(headers, content);
        }

        Multipart part(Map<String, String> headers, byte[] content) {
            StringBuilder head = new StringBuilder("--" + BOUNDARY + "\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            ByteArrayOutputStream part = new ByteArrayOutputStream();
            part.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            part.writeBytes(content);
            part.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            parts.add(part.toByteArray());
            return this;
        }

        /** Leaves out the closing boundary, as a body cut short would. */
        Multipart unterminated() {
            closed = false;
            return this;
        }

        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            if (closed) {
                out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            return out.toByteArray();
        }
    }
}
