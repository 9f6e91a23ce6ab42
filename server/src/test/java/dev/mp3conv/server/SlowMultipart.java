package dev.mp3conv.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A multipart POST written by hand on a socket, so that the test decides when the rest of the body goes:
 * the form fields before the file, the file part's headers, the file in two steps, the fields after it.
 */
public final class SlowMultipart implements AutoCloseable {
    private static final String BOUNDARY = "slow-multipart-boundary";
    /** The request's content type. */
    public static final String CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    /**
     * A status and body read off the socket.
     *
     * @param status HTTP status
     * @param body   the body as text
     */
    public record Answer(int status, String body) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final byte[] body;
    private final int fileStart;
    private int sent;

    private SlowMultipart(Socket socket, byte[] body, int fileStart) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.body = body;
        this.fileStart = fileStart;
    }

    /**
     * Connects and sends the request's headers; the body follows through {@link #sendFile} and {@link #finish}.
     *
     * @param port     the server's port on 127.0.0.1
     * @param token    bearer token
     * @param path     e.g. {@code /api/v1/jobs}
     * @param before   form fields before the file part
     * @param field    the file part's field name
     * @param filename its file name
     * @param file     its bytes
     * @return the request under way
     * @throws IOException when the server cannot be reached
     */
    public static SlowMultipart open(int port, String token, String path, Map<String, String> before, String field,
                                     String filename, byte[] file) throws IOException {
        return open(port, token, path, before, field, filename, file, Map.of());
    }

    /**
     * As {@link #open(int, String, String, Map, String, String, byte[])}, with form fields after the file part.
     *
     * @param port     the server's port on 127.0.0.1
     * @param token    bearer token
     * @param path     e.g. {@code /api/v1/jobs}
     * @param before   form fields before the file part
     * @param field    the file part's field name
     * @param filename its file name
     * @param file     its bytes
     * @param after    form fields after the file part
     * @return the request under way
     * @throws IOException when the server cannot be reached
     */
    public static SlowMultipart open(int port, String token, String path, Map<String, String> before, String field,
                                     String filename, byte[] file, Map<String, String> after) throws IOException {
        byte[] body = body(before, field, filename, file, after);
        int fileStart = head(before, field, filename).length;
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(120_000);
        SlowMultipart slow = new SlowMultipart(socket, body, fileStart);
        slow.out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: multipart/form-data; boundary=" + BOUNDARY + "\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return slow;
    }

    /**
     * A whole body, for clients that send it at once.
     *
     * @param before   form fields before the file part
     * @param field    the file part's field name
     * @param filename its file name
     * @param file     its bytes
     * @param after    form fields after the file part
     * @return the body, for {@link #CONTENT_TYPE}
     */
    public static byte[] body(Map<String, String> before, String field, String filename, byte[] file,
                       Map<String, String> after) {
        byte[] head = head(before, field, filename);
        byte[] tail = ("\r\n" + fields(after) + "--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(head, head.length + file.length + tail.length);
        System.arraycopy(file, 0, body, head.length, file.length);
        System.arraycopy(tail, 0, body, head.length + file.length, tail.length);
        return body;
    }

    private static byte[] head(Map<String, String> before, String field, String filename) {
        return (fields(before) + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field
                + "\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String fields(Map<String, String> fields) {
        StringBuilder text = new StringBuilder();
        new LinkedHashMap<>(fields).forEach((name, value) -> text.append("--").append(BOUNDARY)
                .append("\r\nContent-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                .append(value).append("\r\n"));
        return text.toString();
    }

    /**
     * The body's length, as sent in {@code Content-Length}.
     *
     * @return bytes
     */
    public long contentLength() {
        return body.length;
    }

    /**
     * Sends the body up to {@code fileBytes} bytes into the file.
     *
     * @param fileBytes how far into the file
     * @throws IOException when the connection failed
     */
    public void sendFile(int fileBytes) throws IOException {
        int to = fileStart + fileBytes;
        out.write(body, sent, to - sent);
        out.flush();
        sent = to;
    }

    /**
     * Sends the rest and reads the answer.
     *
     * @return the answer
     * @throws IOException when the connection failed
     */
    public Answer finish() throws IOException {
        out.write(body, sent, body.length - sent);
        out.flush();
        sent = body.length;
        // read as framed by its Content-Length: Helidon 4.5.0 keeps the connection open after "Connection: close"
        // (helidon#12324), so reading to the end waited for the server's 30 s header timeout
        String answer = dev.mp3conv.server.testing.RawHttp.readResponse(socket.getInputStream());
        int status = Integer.parseInt(answer.substring(9, 12));
        int split = answer.indexOf("\r\n\r\n");
        return new Answer(status, split < 0 ? "" : answer.substring(split + 4));
    }

    /**
     * The client goes away mid-body: the connection is reset.
     *
     * @throws IOException when closing fails
     */
    public void cut() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
