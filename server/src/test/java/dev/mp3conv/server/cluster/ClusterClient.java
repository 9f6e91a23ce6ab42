package dev.mp3conv.server.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;

/** A user of the cluster's gateway over real HTTP: multipart uploads and job reads. */
final class ClusterClient {
    private static final String BOUNDARY = "----mp3conv-e2e-boundary-51c2";
    static final String CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    ClusterClient(ProcessCluster.Node gateway, String token) {
        this.base = gateway.uri("/");
        this.token = token;
    }

    String token() {
        return token;
    }

    /** Uploads a file as {@code file} of {@code POST /api/v1/jobs}. */
    HttpResponse<String> upload(String filename, byte[] content) throws IOException, InterruptedException {
        byte[] body = multipart(filename, content);
        return http.send(uploadRequest(HttpRequest.BodyPublishers.ofByteArray(body)),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Starts an upload on a socket of its own and sends all but the closing boundary, so the upload is
     * in flight until {@link RawUpload#finish()}: the test decides when each byte is sent.
     */
    RawUpload startUpload(String filename, byte[] content) throws IOException {
        return startUpload(filename, content, content.length);
    }

    /** The same, sending only the first {@code sendNow} bytes of the file now, the rest on {@link RawUpload#finish()}. */
    RawUpload startUpload(String filename, byte[] content, int sendNow) throws IOException {
        byte[] head = head(filename);
        byte[] tail = tail();
        Socket socket = new Socket(base.getHost(), base.getPort());
        try {
            socket.setSoTimeout(90_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: " + CONTENT_TYPE + "\r\nContent-Length: "
                    + (head.length + content.length + tail.length) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(content, 0, sendNow);
            out.flush();
            byte[] rest = new byte[content.length - sendNow + tail.length];
            System.arraycopy(content, sendNow, rest, 0, content.length - sendNow);
            System.arraycopy(tail, 0, rest, content.length - sendNow, tail.length);
            return new RawUpload(socket, rest);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** An upload sent but for its last bytes. */
    static final class RawUpload {
        private final Socket socket;
        private final byte[] rest;

        private RawUpload(Socket socket, byte[] rest) {
            this.socket = socket;
            this.rest = rest;
        }

        /**
         * Sends the rest of the file and the closing boundary, and reads the answer.
         *
         * @return status code and body
         */
        Answer finish() throws IOException {
            try (socket) {
                socket.getOutputStream().write(rest);
                socket.getOutputStream().flush();
                // read by framing, not to EOF: the server may keep the connection open
                InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                String head = readHead(in);
                int status = Integer.parseInt(head.substring(9, 12));
                String headers = head.toLowerCase(Locale.ROOT);
                java.util.regex.Matcher length = java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(headers);
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                if (length.find()) {
                    body.writeBytes(in.readNBytes(Integer.parseInt(length.group(1))));
                } else if (headers.contains("transfer-encoding: chunked")) {
                    int size;
                    while ((size = Integer.parseInt(readLine(in).trim(), 16)) > 0) {
                        body.writeBytes(in.readNBytes(size));
                        readLine(in);
                    }
                }
                return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                head.append(line).append("\n");
            }
            return head.toString();
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (c == -1 && line.isEmpty()) {
                throw new java.io.EOFException("connection closed before the answer ended");
            }
            return line.toString();
        }
    }

    /** An HTTP answer read off a raw socket; header names lower-cased. */
    record Answer(int status, String headers, String body) {
        JobView job() throws IOException {
            return Json.mapper().readValue(body, JobView.class);
        }
    }

    private HttpRequest uploadRequest(HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(base.resolve("api/v1/jobs"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", CONTENT_TYPE)
                .timeout(Duration.ofSeconds(60))
                .POST(body).build();
    }

    JobView job(String id) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(base.resolve("api/v1/jobs/" + id))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("GET job " + id + ": " + res.statusCode() + " " + res.body());
        }
        return Json.mapper().readValue(res.body(), JobView.class);
    }

    /**
     * Follows the job's Server-Sent Events (as {@code mp3conv upload --wait} does) until it is DONE or FAILED.
     *
     * @param id      the job
     * @param timeout how long the stream may last
     * @return the state it ended in
     */
    String awaitEnd(String id, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<java.util.stream.Stream<String>> events = http.send(HttpRequest.newBuilder(
                        base.resolve("api/v1/jobs/" + id + "/events")).header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream").timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = events.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("data:")) {
                    String state = Json.mapper().readTree(line.substring(5)).path("state").asText();
                    if (state.equals("DONE") || state.equals("FAILED")) {
                        return state;
                    }
                }
            }
        }
        throw new IllegalStateException("the event stream of job " + id + " ended before DONE");
    }

    static JobView jobOf(HttpResponse<String> accepted) throws IOException {
        return Json.mapper().readValue(accepted.body(), JobView.class);
    }

    static JsonNode json(HttpResponse<String> res) throws IOException {
        return Json.mapper().readTree(res.body());
    }

    /** The bytes before and after the file's content in a one-part multipart body. */
    static byte[] head(String filename) {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] tail() {
        return ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] multipart(String filename, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(filename));
        out.writeBytes(content);
        out.writeBytes(tail());
        return out.toByteArray();
    }
}
