package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Serves blobs to ffmpeg when the store keeps no local files (GridFS): HTTP on 127.0.0.1, an
 * ephemeral port, one random token per job, byte ranges, so ffmpeg can seek (an MP4 with its index
 * at the end cannot be read from a pipe). The JDK's built-in HTTP server is enough here: a single
 * GET route that only ffmpeg on the same host calls, kept apart from the public and admin sockets
 * and their routing, filters and observers.
 */
final class LoopbackMediaServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoopbackMediaServer.class.getName());
    private static final String PREFIX = "/media/";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BUFFER = 256 * 1024;

    private final BlobStore blobs;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Map<String, Followed> followed = new ConcurrentHashMap<>();
    private HttpServer server;
    private ExecutorService executor;

    LoopbackMediaServer(BlobStore blobs) {
        this.blobs = blobs;
    }

    /**
     * Makes a blob readable by URL until the returned handle is closed.
     *
     * @param blobId blob id
     * @param length blob length
     * @return the URL and its handle
     * @throws IOException when the server cannot start
     */
    Served serve(String blobId, long length) throws IOException {
        String token = newToken();
        int port = start();
        Served entry = new Served(token, blobId, length, "http://127.0.0.1:" + port + PREFIX + token);
        served.put(token, entry);
        return entry;
    }

    /**
     * Makes an upload that is still arriving readable by URL, front to back, until the handle is closed
     * (issue 24): answered chunked, without a length or ranges (so ffmpeg reads it as a stream), waiting for
     * bytes that have not arrived yet ({@link GrowingUpload}).
     *
     * @param blobId   the upload's resumable write (the finished blob gets the same id)
     * @param idle     how long to wait for a new byte before giving up
     * @param onGiveUp told, before the response ends, when following gave up
     * @return the URL and its handle
     * @throws IOException when the server cannot start
     */
    Followed follow(String blobId, java.time.Duration idle, java.util.function.Consumer<GrowingUpload.GiveUp> onGiveUp)
            throws IOException {
        String token = newToken();
        int port = start();
        Followed entry = new Followed(token, new GrowingUpload(blobs, blobId, idle, onGiveUp),
                "http://127.0.0.1:" + port + PREFIX + token);
        followed.put(token, entry);
        return entry;
    }

    private static String newToken() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private void follow(HttpExchange exchange, Followed entry) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (range != null && !range.trim().matches("bytes=0-")) {
            // a stream has no ranges: ffmpeg reads it front to back
            exchange.sendResponseHeaders(416, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        // 0: chunked, no length
        exchange.sendResponseHeaders(200, 0);
        entry.upload().copyTo(exchange.getResponseBody());
    }

    private synchronized int start() throws IOException {
        if (server == null) {
            executor = Executors.newVirtualThreadPerTaskExecutor();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setExecutor(executor);
            server.createContext(PREFIX, this::handle);
            server.start();
            LOG.log(System.Logger.Level.INFO, "serving blobs to ffmpeg on 127.0.0.1:{0}",
                    String.valueOf(server.getAddress().getPort()));
        }
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = exchange.getRequestURI().getPath().substring(PREFIX.length());
            Followed growing = followed.get(token);
            if (growing != null) {
                follow(exchange, growing);
                return;
            }
            Served entry = served.get(token);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (entry == null || !(head || "GET".equals(exchange.getRequestMethod()))) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            long start = 0;
            long end = entry.length() - 1;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null && entry.length() > 0) {
                Matcher m = RANGE.matcher(range.trim());
                if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, entry.length() - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? end : Math.min(end, Long.parseLong(m.group(2)));
                }
                if (start >= entry.length() || start > end) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + entry.length());
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + entry.length());
            }
            long count = end - start + 1;
            exchange.sendResponseHeaders(status, head || count == 0 ? -1 : count);
            if (!head && count > 0) {
                copy(entry, start, count, exchange.getResponseBody());
            }
        }
    }

    private void copy(Served entry, long start, long count, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = blobs.open(entry.blobId(), start, count)) {
            int n;
            // read() may return 0 mid-stream: only -1 ends the copy
            while ((n = in.read(buffer)) != -1) {
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    // ffmpeg closes the connection when it seeks elsewhere: not a failure
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            entry.failed = true;
            LOG.log(System.Logger.Level.WARNING, "cannot read blob {0} for ffmpeg: {1}", entry.blobId(), e.toString());
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.close();
            server = null;
        }
    }

    /** One upload followed as it arrives, under one token. */
    final class Followed implements AutoCloseable {
        private final String token;
        private final GrowingUpload upload;
        private final String url;

        private Followed(String token, GrowingUpload upload, String url) {
            this.token = token;
            this.upload = upload;
            this.url = url;
        }

        GrowingUpload upload() {
            return upload;
        }

        /**
         * The URL ffmpeg reads (it carries the token: never log it).
         *
         * @return URL
         */
        String url() {
            return url;
        }

        @Override
        public void close() {
            followed.remove(token);
            upload.close();
        }
    }

    /** One blob served under one token. */
    final class Served implements AutoCloseable {
        private final String token;
        private final String blobId;
        private final long length;
        private final String url;
        private volatile boolean failed;

        private Served(String token, String blobId, long length, String url) {
            this.token = token;
            this.blobId = blobId;
            this.length = length;
            this.url = url;
        }

        String blobId() {
            return blobId;
        }

        long length() {
            return length;
        }

        /**
         * The URL ffmpeg reads (it carries the token: never log it).
         *
         * @return URL
         */
        String url() {
            return url;
        }

        /**
         * Whether the store failed while serving (then an ffmpeg error is our fault, not the file's).
         *
         * @return true after a store error
         */
        boolean failed() {
            return failed;
        }

        @Override
        public void close() {
            served.remove(token);
        }
    }
}
