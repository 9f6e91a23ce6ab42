package dev.mp3conv.server.converter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;

import static org.awaitility.Awaitility.await;

/**
 * One user of the public HTTP API as the converter tests need it: upload a file (multipart), read
 * the job, download the MP3.
 */
final class MediaApi {
    private static final String BOUNDARY = "----mp3conv-media-test-4c1e";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final String token;

    MediaApi(int port, String token) {
        this.port = port;
        this.token = token;
    }

    /** Uploads a file with these form fields. */
    JobView upload(Path file, Map<String, String> fields) throws IOException, InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((field, value) -> body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\""
                + field + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(file));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> res = HTTP.send(request("/api/v1/jobs")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 202) {
            throw new AssertionError("upload of " + file.getFileName() + " answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    /** Uploads a file as {@code POST /api/v1/jobs} with no form field, and returns its job. */
    JobView upload(Path file) throws IOException, InterruptedException {
        return upload(file, Map.of());
    }

    JobView job(String id) throws IOException, InterruptedException {
        HttpResponse<String> res = HTTP.send(request("/api/v1/jobs/" + id).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new AssertionError("GET job " + id + " answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    JobView awaitFinished(String id, Duration atMost) {
        return await("job " + id + " finished").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> job(id), job -> job.state().terminal());
    }

    /** The MP3 of a DONE job, written to {@code target}. */
    Path mp3(String id, Path target) throws IOException, InterruptedException {
        HttpResponse<Path> res = HTTP.send(request("/api/v1/jobs/" + id + "/mp3").GET().build(),
                HttpResponse.BodyHandlers.ofFile(target));
        if (res.statusCode() != 200) {
            throw new AssertionError("GET mp3 of " + id + " answered " + res.statusCode());
        }
        return target;
    }

    int mp3Status(String id) throws IOException, InterruptedException {
        return HTTP.send(request("/api/v1/jobs/" + id + "/mp3").GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }
}
