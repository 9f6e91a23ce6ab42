package dev.mp3conv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.github.mizosoft.methanol.MediaType;
import com.github.mizosoft.methanol.Methanol;
import com.github.mizosoft.methanol.MultipartBodyPublisher;
import com.github.mizosoft.methanol.ProgressTracker;
import dev.mp3conv.model.Credentials;
import dev.mp3conv.model.JobEvent;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.model.TokenResponse;
import dev.mp3conv.model.UserView;

/**
 * The mp3conv HTTP API as plain method calls. Errors come back as {@link ApiException};
 * a 401 on an authenticated call becomes "run mp3conv login" (exit code 3).
 */
final class ApiClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI base;
    private final String token;
    private final PrintWriter trace;

    /**
     * @param base  server URL, e.g. {@code http://localhost:8080}
     * @param token bearer token, null for the unauthenticated calls
     * @param trace where {@code --verbose} logs requests, null when quiet
     */
    ApiClient(URI base, String token, PrintWriter trace) {
        this.http = Methanol.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                // a stalled download fails (and can be resumed) instead of hanging; a silent
                // event stream falls back to polling
                .readTimeout(Duration.ofMinutes(2))
                .build();
        this.base = base;
        this.token = token;
        this.trace = trace;
    }

    UserView register(Credentials credentials) {
        return read(postJson("/api/v1/users", credentials), UserView.class);
    }

    TokenResponse token(Credentials credentials) {
        return read(postJson("/api/v1/auth/token", credentials), TokenResponse.class);
    }

    /**
     * Streams a file as multipart/form-data: memory stays constant whatever its size.
     *
     * @return the raw JSON of the created job
     */
    String upload(Path file, MediaType type, Map<String, String> fields, ProgressTracker.Listener listener) {
        MultipartBodyPublisher.Builder multipart = MultipartBodyPublisher.newBuilder();
        fields.forEach(multipart::textPart);
        MultipartBodyPublisher body;
        try {
            body = multipart.filePart("file", file, type).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProgressTracker tracker = ProgressTracker.newBuilder()
                .bytesTransferredThreshold(64 * 1024)
                .build();
        HttpRequest request = authorized("/api/v1/jobs")
                .header("Content-Type", body.mediaType().toString())
                .POST(tracker.tracking(body, listener))
                .build();
        return send(request, null);
    }

    /**
     * Whether the server takes tus resumable uploads (older servers only take multipart).
     *
     * @return true when {@code OPTIONS /api/v1/uploads} describes a tus 1.0.0 endpoint
     */
    boolean resumableUploads() {
        HttpRequest request = authorized("/api/v1/uploads").timeout(REQUEST_TIMEOUT)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404 || response.statusCode() == 405) {
            return false;
        }
        check(response, response.body(), true, null);
        return response.headers().firstValue("Tus-Version").orElse("").contains("1.0.0");
    }

    /** The tus creation endpoint. */
    URI uploadsEndpoint() {
        return uri("/api/v1/uploads");
    }

    /** The bearer token, for clients of the API that are not this class (the tus client). */
    String bearerToken() {
        if (token == null) {
            throw CliException.loginNeeded("not logged in");
        }
        return token;
    }

    /**
     * The error for an answer another HTTP client received, as this client would raise it.
     *
     * @param status     HTTP status
     * @param body       the answer's body (a problem, usually)
     * @param retryAfter its Retry-After header, or null
     * @return the exception to throw
     */
    static RuntimeException failure(int status, String body, String retryAfter) {
        Problem problem = problem(body);
        if (status == 401) {
            return CliException.loginNeeded("not logged in or the login expired");
        }
        return new ApiException(status, problem == null ? null : problem.title(),
                problem == null ? null : problem.detail(),
                retryAfter == null ? null : seconds(retryAfter).orElse(null));
    }

    String jobJson(String id) {
        return send(authorized(jobPath(id)).timeout(REQUEST_TIMEOUT).GET().build(), id);
    }

    JobView job(String id) {
        return read(jobJson(id), JobView.class);
    }

    String jobsJson(int limit, String cursor) {
        String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        return send(authorized("/api/v1/jobs" + query).timeout(REQUEST_TIMEOUT).GET().build(), null);
    }

    void delete(String id) {
        send(authorized(jobPath(id)).timeout(REQUEST_TIMEOUT).DELETE().build(), id);
    }

    /**
     * Follows {@code GET /jobs/{id}/events}, handing each {@code job} event to the consumer
     * until a terminal state arrives or the stream ends.
     *
     * @return the terminal event, or empty when the stream ended before one
     */
    Optional<JobEvent> events(String id, Consumer<JobEvent> consumer) throws IOException {
        HttpRequest request = authorized(jobPath(id) + "/events").header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        checkStatus(response, id);
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            response.body().close();
            throw new IOException("events answered " + type + ", not text/event-stream");
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if ("job".equals(event) && !data.isEmpty()) {
                        JobEvent jobEvent = read(data.toString(), JobEvent.class);
                        consumer.accept(jobEvent);
                        if (jobEvent.state() != null && jobEvent.state().terminal()) {
                            return Optional.of(jobEvent);
                        }
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
                // "id:", "retry:" and ":" comments carry nothing the CLI needs.
            }
        }
        return Optional.empty();
    }

    /**
     * Opens the MP3 stream, from {@code offset} when resuming. The caller checks 200/206/416.
     */
    HttpResponse<InputStream> mp3(String id, long offset) {
        HttpRequest.Builder request = authorized(jobPath(id) + "/mp3").GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = exchange(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 416) {
            checkStatus(response, id);
        }
        return response;
    }

    private static String jobPath(String id) {
        return "/api/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String postJson(String path, Object body) {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body)))
                .build();
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        check(response, response.body(), false, null);
        return response.body();
    }

    // Appended, not resolved: a server behind a path prefix (https://host/mp3conv) keeps its prefix.
    private URI uri(String path) {
        return URI.create(base + path);
    }

    private HttpRequest.Builder authorized(String path) {
        if (token == null) {
            throw CliException.loginNeeded("not logged in");
        }
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token);
    }

    /**
     * @param jobId the job the request is about, for a "no job ID" message on 404; null otherwise
     */
    private String send(HttpRequest request, String jobId) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        check(response, response.body(), true, jobId);
        return response.body();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        if (trace != null) {
            trace.println("> " + request.method() + " " + request.uri());
            trace.flush();
        }
        try {
            HttpResponse<T> response = http.send(request, handler);
            if (trace != null) {
                trace.println("< " + response.statusCode() + " " + request.uri().getPath());
                trace.flush();
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.ERROR, "interrupted", e);
        }
    }

    private void checkStatus(HttpResponse<InputStream> response, String jobId) {
        if (response.statusCode() < 400) {
            return;
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        check(response, body, true, jobId);
    }

    private static void check(HttpResponse<?> response, String body, boolean authenticated, String jobId) {
        int status = response.statusCode();
        if (status < 400) {
            return;
        }
        Problem problem = problem(body);
        if (status == 401 && authenticated) {
            throw CliException.loginNeeded("not logged in or the login expired");
        }
        if (status == 404 && jobId != null) {
            // the server answers the same for unknown and others' jobs, on purpose
            throw new CliException(ExitCode.ERROR, "no job " + jobId);
        }
        Duration retryAfter = response.headers().firstValue("Retry-After")
                .flatMap(ApiClient::seconds).orElse(null);
        throw new ApiException(status, problem == null ? null : problem.title(),
                problem == null ? null : problem.detail(), retryAfter);
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
        } catch (NumberFormatException httpDate) {
            return Optional.empty();
        }
    }

    private static Problem problem(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Json.mapper().readValue(body, Problem.class);
        } catch (JsonProcessingException notAProblem) {
            return null;
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.ERROR, "the server sent a body that is not the expected JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
