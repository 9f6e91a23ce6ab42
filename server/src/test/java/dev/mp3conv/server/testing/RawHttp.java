package dev.mp3conv.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** For tests that speak HTTP over a plain socket, to send exactly the bytes a given client sends. */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * Reads one response: status line, headers and a {@code Content-Length} body (the server may keep
     * the connection open, so reading to the end would hang).
     *
     * @param in the socket's input
     * @return the response as text
     * @throws IOException when the socket fails
     */
    public static String readResponse(InputStream in) throws IOException {
        String headers = readHead(in);
        int length = headers.lines().filter(l -> l.regionMatches(true, 0, "content-length:", 0, 15))
                .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * Reads the status line and headers of one response, up to and with the empty line, and nothing
     * after: for answers whose {@code Content-Length} does not frame a body (a 304, a HEAD).
     *
     * @param in the socket's input
     * @return the status line and headers as text
     * @throws IOException when the socket fails
     */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
