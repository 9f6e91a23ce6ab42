package dev.mp3conv.server.load;

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
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;

/**
 * The API as the load clients use it, over one shared {@link HttpClient} (HTTP/1.1, pooled connections to
 * 127.0.0.1). Every call checks the exact status it expects and throws {@link AssertionError} otherwise.
 */
final class LoadClient {
    private static final String BOUNDARY = "----mp3conv-load-0b7e";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final String token;

    LoadClient(int port, String token) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build(),
                URI.create("http://127.0.0.1:" + port), token);
    }

    private LoadClient(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /** A small media file and its multipart upload body, built once. */
    record Sample(String name, byte[] multipart) {
        static Sample of(Path file) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + file.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(Files.readAllBytes(file));
            body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return new Sample(file.getFileName().toString(), body.toByteArray());
        }
    }

    LoadClient withToken(String newToken) {
        return new LoadClient(http, base, newToken);
    }

    String registerAndLogIn(String email, String password) throws IOException, InterruptedException {
        byte[] credentials = Json.mapper().writeValueAsBytes(Map.of("email", email, "password", password));
        expect(send(json("/api/v1/users", credentials)), 201, "register");
        HttpResponse<String> login = expect(send(json("/api/v1/auth/token", credentials)), 200, "log in");
        return Json.mapper().readTree(login.body()).get("access_token").asText();
    }

    /** Uploads a sample; returns the new job's id. */
    String upload(Sample sample) throws IOException, InterruptedException {
        HttpResponse<String> res = expect(send(request("/api/v1/jobs")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(sample.multipart()))), 202, "upload " + sample.name());
        JsonNode job = Json.mapper().readTree(res.body());
        String state = job.path("state").asText();
        // a file converted while it arrived may be answered CONVERTING, its converter already at work
        boolean streamed = "CONVERTING".equals(state) && "streaming".equals(job.path("streaming").path("mode").asText());
        if (!"QUEUED".equals(state) && !streamed) {
            throw new AssertionError("upload answered a job in state " + job.path("state") + ": " + res.body());
        }
        return job.get("id").asText();
    }

    /** Follows {@code /events} until the stream ends; the last event must say DONE. */
    void followEvents(String id, Duration deadline) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> res = http.send(request("/api/v1/jobs/" + id + "/events").timeout(deadline)
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        String last = null;
        try (Stream<String> lines = res.body()) {
            if (res.statusCode() != 200) {
                throw new AssertionError("events of " + id + " answered " + res.statusCode());
            }
            String contentType = res.headers().firstValue("Content-Type").orElse("");
            if (!contentType.startsWith("text/event-stream")) {
                throw new AssertionError("events of " + id + " answered Content-Type " + contentType);
            }
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    last = line.substring(5).trim();
                }
            }
        }
        String state = last == null ? "no event" : Json.mapper().readTree(last).path("state").asText();
        if (!"DONE".equals(state)) {
            throw new AssertionError("events of " + id + " ended with " + last);
        }
    }

    /** Polls {@code GET /api/v1/jobs/{id}} every 250 ms until DONE (FAILED or the deadline is an error). */
    void pollUntilDone(String id, Duration deadline) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            String state = state(id);
            if (state.equals("DONE")) {
                return;
            }
            if (state.equals("FAILED") || System.nanoTime() > end) {
                throw new AssertionError("job " + id + " is " + state);
            }
            Thread.sleep(250); // a polling client's pacing
        }
    }

    String state(String id) throws IOException, InterruptedException {
        HttpResponse<String> res = expect(send(request("/api/v1/jobs/" + id).GET()), 200, "status of " + id);
        return Json.mapper().readTree(res.body()).path("state").asText();
    }

    void listJobs() throws IOException, InterruptedException {
        HttpResponse<String> res = expect(send(request("/api/v1/jobs?limit=20").GET()), 200, "list");
        if (!Json.mapper().readTree(res.body()).path("items").isArray()) {
            throw new AssertionError("list answered " + res.body());
        }
    }

    /** Ids among {@code ids} whose job is not DONE, with their state. */
    List<String> unfinished(Collection<String> ids) throws IOException, InterruptedException {
        List<String> unfinished = new ArrayList<>();
        for (String id : ids) {
            String state = state(id);
            if (!state.equals("DONE")) {
                unfinished.add(id + " " + state);
            }
        }
        return unfinished;
    }

    HttpResponse<byte[]> downloadMp3(String id) throws IOException, InterruptedException {
        return http.send(request("/api/v1/jobs/" + id + "/mp3").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private HttpRequest.Builder json(String path, byte[] body) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> res, int status, String what) {
        if (res.statusCode() != status) {
            throw new AssertionError(what + " answered " + res.statusCode() + " (expected " + status + "): " + res.body());
        }
        return res;
    }
}
