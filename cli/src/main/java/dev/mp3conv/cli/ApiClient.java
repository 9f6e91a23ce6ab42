package dev.mp3conv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
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
 *
 * <p>Small JSON calls (status, delete, login, ...) go through {@link HttpURLConnection}; the JDK's
 * {@link HttpClient} (with methanol) is built only for what streams: multipart uploads, the event
 * stream and MP3 downloads. Building that client costs a short command most of its start: it sets
 * up TLS (reading the CA certificates) and its selector thread even for an http:// server
 * (measured, bench/coldstart.sh: a GET through it 0.17 s CPU, through HttpURLConnection 0.04 s).
 */
final class ApiClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private HttpClient streaming;
    private final URI base;
    private final String token;
    private final PrintWriter trace;

    /**
     * @param base  server URL, e.g. {@code http://localhost:8080}
     * @param token bearer token, null for the unauthenticated calls
     * @param trace where {@code --verbose} logs requests, null when quiet
     */
    ApiClient(URI base, String token, PrintWriter trace) {
        this.base = base;
        this.token = token;
        this.trace = trace;
    }

    /** The client for streamed requests, built on first use. */
    private HttpClient streaming() {
        if (streaming == null) {
            streaming = Methanol.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(CONNECT_TIMEOUT)
                    // a stalled download fails (and can be resumed) instead of hanging; a silent
                    // event stream falls back to polling
                    .readTimeout(Duration.ofMinutes(2))
                    .build();
        }
        return streaming;
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
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        check(new Answer(response.statusCode(), response.body(), response.headers().firstValue("Retry-After").orElse(null), null),
                true, null);
        return response.body();
    }

    /**
     * Whether the server takes tus resumable uploads (older servers only take multipart).
     *
     * @return true when {@code OPTIONS /api/v1/uploads} describes a tus 1.0.0 endpoint
     */
    boolean resumableUploads() {
        Answer answer = call("OPTIONS", "/api/v1/uploads", true, null);
        if (answer.status() == 404 || answer.status() == 405) {
            return false;
        }
        check(answer, true, null);
        return Optional.ofNullable(answer.tusVersion()).orElse("").contains("1.0.0");
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
        return send("GET", jobPath(id), id);
    }

    JobView job(String id) {
        return read(jobJson(id), JobView.class);
    }

    String jobsJson(int limit, String cursor) {
        String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        return send("GET", "/api/v1/jobs" + query, null);
    }

    void delete(String id) {
        send("DELETE", jobPath(id), id);
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
        Answer answer = call("POST", path, false, write(body).getBytes(StandardCharsets.UTF_8));
        check(answer, false, null);
        return answer.body();
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
    private String send(String method, String path, String jobId) {
        Answer answer = call(method, path, true, null);
        check(answer, true, jobId);
        return answer.body();
    }

    /** What a small call answered: status, body, and the headers the CLI reads. */
    private record Answer(int status, String body, String retryAfter, String tusVersion) {
    }

    /**
     * One small request through {@link HttpURLConnection}, as the streaming client would send it:
     * HTTP/1.1, no proxy, redirects not followed, 10 s to connect, 60 s to answer.
     *
     * @param authenticated whether to send the bearer token
     * @param json          a JSON body to POST, or null
     */
    private Answer call(String method, String path, boolean authenticated, byte[] json) {
        if (authenticated && token == null) {
            throw CliException.loginNeeded("not logged in");
        }
        URI uri = uri(path);
        if (trace != null) {
            trace.println("> " + method + " " + uri);
            trace.flush();
        }
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
            connection.setUseCaches(false);
            if (authenticated) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (json != null) {
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setRequestProperty("Accept", "application/json");
                // buffered, not streamed: in streaming mode a 401 (a wrong password) would be an exception
                connection.setDoOutput(true);
            }
            try {
                connection.connect();
            } catch (SocketTimeoutException e) {
                throw (IOException) new HttpConnectTimeoutException("connect timed out").initCause(e);
            }
            if (json != null) {
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(json);
                }
            }
            int status = connection.getResponseCode();
            InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            String body = "";
            if (in != null) {
                try (in) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            if (trace != null) {
                trace.println("< " + status + " " + uri.getPath());
                trace.flush();
            }
            return new Answer(status, body, connection.getHeaderField("Retry-After"), connection.getHeaderField("Tus-Version"));
        } catch (SocketTimeoutException e) {
            if (connection != null) {
                connection.disconnect();
            }
            throw new UncheckedIOException((IOException) new HttpTimeoutException("request timed out").initCause(e));
        } catch (IOException e) {
            if (connection != null) {
                connection.disconnect();
            }
            throw new UncheckedIOException(e);
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        if (trace != null) {
            trace.println("> " + request.method() + " " + request.uri());
            trace.flush();
        }
        try {
            HttpResponse<T> response = streaming().send(request, handler);
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
        check(new Answer(response.statusCode(), body, response.headers().firstValue("Retry-After").orElse(null), null),
                true, jobId);
    }

    private static void check(Answer answer, boolean authenticated, String jobId) {
        int status = answer.status();
        if (status < 400) {
            return;
        }
        Problem problem = problem(answer.body());
        if (status == 401 && authenticated) {
            throw CliException.loginNeeded("not logged in or the login expired");
        }
        if (status == 404 && jobId != null) {
            // the server answers the same for unknown and others' jobs, on purpose
            throw new CliException(ExitCode.ERROR, "no job " + jobId);
        }
        Duration retryAfter = Optional.ofNullable(answer.retryAfter()).flatMap(ApiClient::seconds).orElse(null);
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
