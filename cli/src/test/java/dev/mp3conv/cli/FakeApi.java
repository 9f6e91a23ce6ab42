package dev.mp3conv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.model.Credentials;
import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobEvent;
import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.model.TokenResponse;
import dev.mp3conv.model.UserView;

/**
 * A stand-in for the mp3conv server that speaks the v1 API the CLI uses, with switches for
 * the error paths. Jobs step through {@link #script} as they are looked at: each
 * {@code GET /jobs/{id}} shows the next state; the event stream sends all remaining states.
 */
final class FakeApi implements AutoCloseable {
    static final int MP3_SIZE = 300_000;
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** What the event stream does. */
    enum Sse { FULL, UNAVAILABLE, CUT }

    record Request(String method, String path, String query, Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    record Upload(String filename, String contentType, long bytes, Map<String, String> fields) {
    }

    final class Job {
        final String id;
        final String owner;
        final Upload upload;
        final Instant createdAt;
        final byte[] mp3;
        final AtomicInteger step = new AtomicInteger();

        Job(String id, String owner, Upload upload, Instant createdAt) {
            this.id = id;
            this.owner = owner;
            this.upload = upload;
            this.createdAt = createdAt;
            this.mp3 = new byte[MP3_SIZE];
            new Random(id.hashCode()).nextBytes(mp3);
        }

        JobState state() {
            return script.get(Math.min(step.get(), script.size() - 1));
        }

        JobView view() {
            JobState state = state();
            double progress = switch (state) {
                case UPLOADING, QUEUED -> 0;
                case CONVERTING -> 0.5;
                case DONE -> 1;
                case FAILED -> 0.5;
            };
            return new JobView(id, upload.filename(), upload.contentType(), upload.bytes(), "0".repeat(64), state,
                    progress, 12.5, "v-" + id, state == JobState.DONE ? "m-" + id : null,
                    state == JobState.DONE ? (long) mp3.length : null, state == JobState.DONE ? sha256Hex(mp3) : null,
                    upload.fields().get("bitrate"),
                    upload.fields().containsKey("quality") ? Integer.valueOf(upload.fields().get("quality")) : null,
                    null, null, null, null, null, null, null, null, null, 1, state == JobState.FAILED ? failure : null, createdAt, createdAt,
                    state.terminal() ? createdAt.plus(java.time.Duration.ofDays(7)) : null,
                    state.terminal() ? createdAt.plus(java.time.Duration.ofHours(1)) : null, null);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Upload> uploads = new CopyOnWriteArrayList<>();
    final Map<String, String> users = new ConcurrentHashMap<>();
    final Set<String> tokens = ConcurrentHashMap.newKeySet();
    final Map<String, Job> jobs = new ConcurrentHashMap<>();

    volatile boolean registrationOpen = true;
    volatile boolean rateLimited;
    /** Every password-hashing thread busy: register and login answer 503 with Retry-After. */
    volatile boolean hashingBusy;
    volatile long maxUpload = Long.MAX_VALUE;
    /** Reject too-large uploads after reading only the start of the body, as a streaming server does. */
    volatile boolean rejectEarly;
    volatile Sse sse = Sse.FULL;
    volatile List<JobState> script = List.of(JobState.QUEUED, JobState.CONVERTING, JobState.DONE);
    volatile JobError failure = new JobError("no-audio", "the video has no audio stream");
    /** When at least 0, the next MP3 response stops after this many bytes of its body. */
    volatile int cutNextDownloadAfter = -1;
    /** Whether MP3 downloads carry their {@code Repr-Digest} (a server before that header did not). */
    volatile boolean sendDigest = true;

    private final HttpServer server;
    private final AtomicInteger ids = new AtomicInteger();

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers a user and returns a valid token for them. */
    String userWithToken(String email) {
        users.put(email, "correct horse battery");
        String token = "token-" + email;
        tokens.add(token);
        return token;
    }

    /** Adds a job as if uploaded {@code minutesAgo} minutes before {@link #NOW}. */
    Job addJob(String owner, String filename, long size, int minutesAgo) {
        String id = "job" + ids.incrementAndGet();
        Job job = new Job(id, owner, new Upload(filename, "video/mp4", size, Map.of()), NOW.minusSeconds(60L * minutesAgo));
        jobs.put(id, job);
        return job;
    }

    List<Request> requests(String method, String pathPrefix) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(method, path, exchange.getRequestURI().getQuery(), exchange.getRequestHeaders()));
            route(exchange, method, path);
        } catch (CutConnection expected) {
            throw expected;
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        if (method.equals("POST") && path.equals("/api/v1/users")) {
            register(ex);
            return;
        }
        if (method.equals("POST") && path.equals("/api/v1/auth/token")) {
            token(ex);
            return;
        }
        String owner = owner(ex);
        if (owner == null) {
            ex.getRequestBody().readAllBytes();
            problem(ex, 401, "Unauthorized", "missing, invalid or expired token");
            return;
        }
        if (method.equals("POST") && path.equals("/api/v1/jobs")) {
            upload(ex, owner);
            return;
        }
        if (method.equals("GET") && path.equals("/api/v1/jobs")) {
            list(ex, owner);
            return;
        }
        Matcher m = Pattern.compile("/api/v1/jobs/([^/]+)(/events|/mp3)?").matcher(path);
        Job job = m.matches() ? jobs.get(m.group(1)) : null;
        if (job == null || !job.owner.equals(owner)) {
            problem(ex, 404, "Not Found", "no such job");
            return;
        }
        String sub = m.group(2);
        if (method.equals("GET") && sub == null) {
            JobView view = job.view();
            job.step.incrementAndGet();
            json(ex, 200, view);
        } else if (method.equals("GET") && sub.equals("/events")) {
            events(ex, job);
        } else if (method.equals("GET") && sub.equals("/mp3")) {
            mp3(ex, job);
        } else if (method.equals("DELETE") && sub == null) {
            jobs.remove(job.id);
            ex.sendResponseHeaders(204, -1);
        } else {
            problem(ex, 405, "Method Not Allowed", method + " " + path);
        }
    }

    private String owner(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
            return null;
        }
        return auth.substring("Bearer token-".length());
    }

    private void register(HttpExchange ex) throws IOException {
        Credentials c = Json.mapper().readValue(ex.getRequestBody(), Credentials.class);
        if (hashingBusy) {
            busy(ex);
        } else if (rateLimited) {
            ex.getResponseHeaders().add("Retry-After", "900");
            problem(ex, 429, "Too Many Requests", "too many registrations from this address; try again later");
        } else if (!registrationOpen) {
            problem(ex, 403, "Forbidden", "registration is closed on this server");
        } else if (c.password() == null || c.password().length() < 10) {
            problem(ex, 400, "Bad Request", "the password must have at least 10 characters");
        } else if (users.putIfAbsent(c.email().toLowerCase(), c.password()) != null) {
            problem(ex, 409, "Conflict", "an account with this email already exists");
        } else {
            json(ex, 201, new UserView("u-" + c.email(), c.email().toLowerCase(), false, NOW, 0, null));
        }
    }

    private void token(HttpExchange ex) throws IOException {
        Credentials c = Json.mapper().readValue(ex.getRequestBody(), Credentials.class);
        if (hashingBusy) {
            busy(ex);
        } else if (rateLimited) {
            ex.getResponseHeaders().add("Retry-After", "30");
            problem(ex, 429, "Too Many Requests", "too many login attempts");
        } else if (c.password() == null || !c.password().equals(users.get(c.email().toLowerCase()))) {
            problem(ex, 401, "Unauthorized", "wrong email or password");
        } else {
            String token = "token-" + c.email().toLowerCase();
            tokens.add(token);
            json(ex, 200, TokenResponse.bearer(token, 3600));
        }
    }

    private static void busy(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Retry-After", "2");
        problem(ex, 503, "Service Unavailable", "the server is busy checking passwords");
    }

    private void upload(HttpExchange ex, String owner) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        Matcher boundary = Pattern.compile("multipart/form-data;\\s*boundary=\"?([^\";]+)\"?").matcher(String.valueOf(type));
        if (!boundary.find()) {
            ex.getRequestBody().readAllBytes();
            problem(ex, 400, "Bad Request", "expected multipart/form-data");
            return;
        }
        if (rejectEarly) {
            long declared = Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
            if (declared > maxUpload) {
                ex.getRequestBody().readNBytes(64 * 1024);
                problem(ex, 413, "Content Too Large", "the upload is larger than the limit of " + maxUpload + " bytes");
                ex.getResponseBody().flush();
                // the answer is out before the body is read; then the rest is read and dropped, as a server's lingering
                // close does (the mp3conv gateway drains up to 8 MiB): closing with unread bytes makes the kernel reset
                // the connection, and a reset that overtakes the answer loses it for any client (seen once in CI:
                // "header parser received no bytes")
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                return;
            }
        }
        Upload upload = parseMultipart(ex.getRequestBody(), boundary.group(1));
        if (upload.filename() == null) {
            problem(ex, 400, "Bad Request", "no file part");
            return;
        }
        if (upload.bytes() > maxUpload) {
            problem(ex, 413, "Content Too Large", "the upload exceeds the limit of " + maxUpload + " bytes");
            return;
        }
        uploads.add(upload);
        String id = "job" + ids.incrementAndGet();
        Job job = new Job(id, owner, upload, NOW);
        jobs.put(id, job);
        ex.getResponseHeaders().add("Location", "/api/v1/jobs/" + id);
        json(ex, 202, job.view());
    }

    // A multipart reader that keeps only part headers and text fields and counts file bytes.
    // ISO-8859-1 maps bytes 1:1 to chars, so indexOf works on the raw body.
    private static Upload parseMultipart(InputStream body, String boundary) throws IOException {
        String raw = new String(body.readAllBytes(), StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        String filename = null;
        String contentType = null;
        long bytes = 0;
        Map<String, String> fields = new LinkedHashMap<>();
        int at = raw.indexOf(delimiter);
        while (at >= 0) {
            int headersStart = at + delimiter.length();
            if (raw.startsWith("--", headersStart)) {
                break;
            }
            int headersEnd = raw.indexOf("\r\n\r\n", headersStart);
            int next = raw.indexOf("\r\n" + delimiter, headersEnd);
            String headers = raw.substring(headersStart, headersEnd);
            String content = raw.substring(headersEnd + 4, next);
            Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(headers);
            Matcher file = Pattern.compile("filename=\"([^\"]*)\"").matcher(headers);
            Matcher ct = Pattern.compile("(?i)content-type:\\s*([^\\r\\n]+)").matcher(headers);
            if (file.find()) {
                filename = file.group(1);
                contentType = ct.find() ? ct.group(1).strip() : null;
                bytes = content.length();
            } else if (name.find()) {
                // text fields are UTF-8, as the server reads them
                fields.put(name.group(1), new String(content.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
            at = next + 2;
        }
        return new Upload(filename, contentType, bytes, fields);
    }

    private void list(HttpExchange ex, String owner) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        int limit = Integer.parseInt(query.getOrDefault("limit", "20"));
        int offset = Integer.parseInt(query.getOrDefault("cursor", "0"));
        List<Job> mine = new ArrayList<>(jobs.values().stream().filter(j -> j.owner.equals(owner))
                .sorted(Comparator.comparing((Job j) -> j.createdAt).reversed()).toList());
        List<Job> shown = mine.stream().skip(offset).limit(limit).toList();
        List<JobView> page = shown.stream().map(Job::view).toList();
        shown.forEach(job -> job.step.incrementAndGet());
        String next = offset + limit < mine.size() ? String.valueOf(offset + limit) : null;
        json(ex, 200, new JobPage(page, next));
    }

    private void events(HttpExchange ex, Job job) throws IOException {
        if (sse == Sse.UNAVAILABLE) {
            problem(ex, 503, "Service Unavailable", "events are not available");
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        out.write(": hello\n\n".getBytes(StandardCharsets.UTF_8));
        while (true) {
            JobView view = job.view();
            JobEvent event = new JobEvent(job.id, view.state(), view.progress(), view.error());
            out.write(("event: job\nid: " + job.step.get() + "\ndata: " + Json.mapper().writeValueAsString(event) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (sse == Sse.CUT || view.state().terminal()) {
                return;
            }
            job.step.incrementAndGet();
        }
    }

    private void mp3(HttpExchange ex, Job job) throws IOException {
        if (job.state() != JobState.DONE) {
            problem(ex, 409, "Conflict", "job " + job.id + " is " + job.state() + ", not DONE");
            return;
        }
        byte[] mp3 = job.mp3;
        Headers headers = ex.getResponseHeaders();
        headers.add("Content-Type", "audio/mpeg");
        headers.add("ETag", "\"" + job.id + "\"");
        headers.add("Accept-Ranges", "bytes");
        headers.add("Content-Disposition", "attachment; filename=\"x.mp3\"");
        if (sendDigest) {
            headers.add("Repr-Digest", "sha-256=:" + java.util.Base64.getEncoder().encodeToString(sha256(mp3)) + ":");
        }
        int start = 0;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) {
                problem(ex, 400, "Bad Request", "unsupported range " + range);
                return;
            }
            start = Integer.parseInt(m.group(1));
            if (start >= mp3.length) {
                headers.add("Content-Range", "bytes */" + mp3.length);
                problem(ex, 416, "Range Not Satisfiable", "range starts after the end");
                return;
            }
            status = 206;
            headers.add("Content-Range", "bytes " + start + "-" + (mp3.length - 1) + "/" + mp3.length);
        }
        int length = mp3.length - start;
        ex.sendResponseHeaders(status, length);
        int cut = cutNextDownloadAfter;
        cutNextDownloadAfter = -1;
        OutputStream out = ex.getResponseBody();
        if (cut >= 0 && cut < length) {
            out.write(mp3, start, cut);
            out.flush();
            // dropping the connection mid-body is what a crashed server or a lost network does
            throw new CutConnection();
        }
        out.write(mp3, start, length);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(sha256(bytes));
    }

    /** Thrown to make the server drop the connection mid-response. */
    static final class CutConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static void problem(HttpExchange ex, int status, String title, String detail) throws IOException {
        byte[] body = Json.mapper().writeValueAsBytes(Problem.of(status, title, detail).withInstance(ex.getRequestURI().getPath()));
        ex.getResponseHeaders().add("Content-Type", Problem.MEDIA_TYPE);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static void json(HttpExchange ex, int status, Object value) throws IOException {
        byte[] body = Json.mapper().writeValueAsBytes(value);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }
}
