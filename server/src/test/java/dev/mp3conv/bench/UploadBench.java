package dev.mp3conv.bench;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.gateway.ParserProbe;
import dev.mp3conv.server.testing.RawHttp;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import dev.mp3conv.server.storage.GridFsBlobStore;
import dev.mp3conv.server.storage.Mongo;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.AbstractRequestContext;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.RequestContext;

/**
 * Upload throughput and server heap: a gateway in a separate JVM with {@code -Xmx256m} receives a
 * generated multipart upload over 127.0.0.1 (no file on disk on the client side), compared in the same
 * run with writing the same bytes straight into the same {@link BlobStore} from this JVM, and with the
 * multipart parser alone on the same body from memory, and with the same upload to a route of the same
 * HTTP stack that only drains the body (two ceilings no upload can pass).
 * Runs alternate; medians are printed.
 *
 * <pre>UploadBench fs|gridfs|tus-fs|tus-gridfs &lt;MiB&gt; &lt;rounds&gt;</pre>
 *
 * The {@code tus-} modes upload through the resumable endpoint instead, in PATCHes of {@code -Dtus.chunk.mib}
 * (default 32, as the CLI sends them) on one keep-alive connection.
 *
 * For {@code gridfs} the store is mongo-java-server's memory backend running in this JVM (so the blobs
 * do not count against the server's heap).
 */
public final class UploadBench {
    private static final int BUFFER = 1024 * 1024;
    private static final String BOUNDARY = "----mp3conv-bench-5c1f";
    private static final double MIB = 1024.0 * 1024.0;

    private static boolean tus;
    /** Time the last tus upload's client spent waiting for PATCH answers after sending each body. */
    private static long patchWaitNanos;
    /** -Dbench.ceilings=false skips the parser-alone and draining-sink runs (quicker experiments). */
    private static final boolean CEILINGS = !"false".equals(System.getProperty("bench.ceilings"));
    private static final long TUS_CHUNK = Long.getLong("tus.chunk.mib", 32) * 1024 * 1024;

    private UploadBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "fs";
        // tus-fs / tus-gridfs: the upload goes through /api/v1/uploads in PATCHes of TUS_CHUNK_MIB (default 32, the CLI's)
        tus = mode.startsWith("tus-");
        String store = tus ? mode.substring(4) : mode;
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 2048) * 1024 * 1024;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dataDir = Files.createTempDirectory("upload-bench-");
        MongoServer mongoServer = null;
        Mongo mongo = null;
        String uri = null;
        try {
            BlobStore blobs;
            if (store.equals("gridfs")) {
                mongoServer = new MongoServer(new MemoryBackend());
                InetSocketAddress address = mongoServer.bind(); // loopback, free port
                uri = "mongodb://127.0.0.1:" + address.getPort();
                mongo = Mongo.connect(uri, "mp3conv", 10_000);
                blobs = GridFsBlobStore.open(mongo.database(), "fs");
            } else {
                blobs = FileSystemBlobStore.open(dataDir);
            }
            run(store, size, rounds, dataDir, uri, blobs);
        } finally {
            if (mongo != null) {
                mongo.close();
            }
            if (mongoServer != null) {
                mongoServer.shutdownNow();
            }
            deleteTree(dataDir);
        }
    }

    private static void run(String store, long size, int rounds, Path dataDir, String uri, BlobStore blobs)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dio.netty.noUnsafe=true"));
        // e.g. -Dbench.server.jvm=-XX:StartFlightRecording=filename=/tmp/up.jfr to profile the server JVM
        String extra = System.getProperty("bench.server.jvm", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), UploadBenchServer.class.getName(),
                dataDir.toString()));
        if (uri != null) {
            command.add(uri);
        }
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8)) {
            int sinkPort = Integer.parseInt(expect(out, "SINK ").trim());
            int port = Integer.parseInt(expect(out, "PORT ").trim());
            System.out.printf("store %s, %d MiB per upload%s, %d rounds, server -Xmx256m on port %d%n",
                    store, size >> 20, tus ? " through tus in " + (TUS_CHUNK >> 20) + " MiB PATCHes" : " as multipart",
                    rounds, port);
            List<Double> direct = new ArrayList<>();
            List<Double> upload = new ArrayList<>();
            List<Double> parser = new ArrayList<>();
            List<Double> commons = new ArrayList<>();
            List<Double> sink = new ArrayList<>();
            List<Double> directCpu = new ArrayList<>();
            List<Double> serverCpu = new ArrayList<>();
            List<Double> clientCpu = new ArrayList<>();
            List<Double> sinkCpu = new ArrayList<>();
            List<Double> storeWork = new ArrayList<>();
            List<Double> storeSynced = new ArrayList<>();
            List<Double> hashCpu = new ArrayList<>();
            long worstLive = 0;
            long worstUsed = 0;
            long worstRetained = 0;
            for (int round = 0; round < rounds; round++) {
                long directCpuStart = processCpuNanos();
                direct.add(directWrite(blobs, size));
                directCpu.add((processCpuNanos() - directCpuStart) / 1e6 / (size / MIB));
                if (CEILINGS) {
                    hashCpu.add(sha256Cpu(size));
                    storeSynced.add(storeWork(blobs, size, false));
                    storeWork.add(storeWork(blobs, size, true));
                    parser.add(parseOnly(size, false));
                    commons.add(parseOnly(size, true));
                    in.println("mark");
                    expect(out, "OK");
                    long sinkStart = System.nanoTime();
                    post(sinkPort, DrainingSink.PATH, size);
                    sink.add(size / MIB / ((System.nanoTime() - sinkStart) / 1e9));
                    in.println("report");
                    sinkCpu.add(Long.parseLong(expect(out, "CPU ").trim()) / 1e6 / (size / MIB));
                } else {
                    storeWork.add(Double.NaN);
                    storeSynced.add(Double.NaN);
                    hashCpu.add(Double.NaN);
                    sinkCpu.add(Double.NaN);
                    parser.add(Double.NaN);
                    commons.add(Double.NaN);
                    sink.add(Double.NaN);
                }
                in.println("mark");
                expect(out, "OK");
                long start = System.nanoTime();
                long clientCpuStart = processCpuNanos();
                JobView job = tus ? tusUpload(port, size, TUS_CHUNK) : upload(port, size);
                double seconds = (System.nanoTime() - start) / 1e9;
                clientCpu.add((processCpuNanos() - clientCpuStart) / 1e6 / (size / MIB));
                upload.add(size / MIB / seconds);
                if (job.size() != size) {
                    throw new IllegalStateException("server stored " + job.size() + " bytes, sent " + size);
                }
                in.println("report");
                serverCpu.add(Long.parseLong(expect(out, "CPU ").trim()) / 1e6 / (size / MIB));
                String[] heap = expect(out, "HEAP ").trim().split(" ");
                long baseline = Long.parseLong(heap[0]);
                worstUsed = Math.max(worstUsed, Long.parseLong(heap[1]) - baseline);
                worstLive = Math.max(worstLive, Long.parseLong(heap[2]) - baseline);
                worstRetained = Math.max(worstRetained, Long.parseLong(heap[3]) - baseline);
                blobs.delete(job.videoFid());
                System.out.printf("round %d: direct %.1f MB/s, upload %.1f MB/s, multipart parser alone %.1f MB/s "
                                + "(commons-fileupload2 %.1f MB/s), "
                                + "HTTP to a draining sink %.1f MB/s; server heap baseline %.1f MiB, "
                                + "peak live +%.1f MiB, peak used incl. garbage +%.1f MiB, retained after +%.1f MiB%n",
                        round + 1, direct.getLast(), upload.getLast(), parser.getLast(), commons.getLast(), sink.getLast(),
                        baseline / MIB,
                        (Long.parseLong(heap[2]) - baseline) / MIB, (Long.parseLong(heap[1]) - baseline) / MIB,
                        (Long.parseLong(heap[3]) - baseline) / MIB);
                if (tus) {
                    System.out.printf("round %d: the client waited %.2f s of the upload's %.2f s for PATCH answers "
                            + "after sending their bodies%n", round + 1, patchWaitNanos / 1e9, seconds);
                }
                System.out.printf("round %d CPU per MiB: direct write %.3f ms; upload: server %.3f ms + client %.3f ms; "
                                + "draining sink: server %.3f ms; SHA-256 alone %.3f ms%n",
                        round + 1, directCpu.getLast(), serverCpu.getLast(), clientCpu.getLast(), sinkCpu.getLast(),
                        hashCpu.getLast());
            }
            double d = median(direct);
            double u = median(upload);
            System.out.printf("RESULT " + (tus ? "tus " : "") + "store=%s size=%dMiB direct=%.1fMB/s upload=%.1fMB/s ratio=%.2f (goal >= 0.8) "
                            + "heapGrowth(peak live)=%.1fMiB (goal <= 64) peakUsedInclGarbage=+%.1fMiB retained=+%.1fMiB%n",
                    store, size >> 20, d, u, u / d, worstLive / MIB, worstUsed / MIB, worstRetained / MIB);
            double p = median(parser);
            double c = median(commons);
            System.out.printf("ceiling: the gateway's parser (Jetty MultiPart.Parser) on the same body from memory, "
                    + "nothing else, %.1f MB/s = %.2f of the direct write; commons-fileupload2, which it replaced, "
                    + "%.1f MB/s = %.2f%n", p, p / d, c, c / d);
            double y = median(storeSynced);
            double w = median(storeWork);
            System.out.printf("ceiling: the store work of the upload without HTTP (%s, in this JVM), %.1f MB/s = %.2f of "
                            + "the direct write; with the SHA-256 the job records computed on the way, %.1f MB/s = %.2f%n",
                    tus ? "resumable appends of " + (TUS_CHUNK >> 20) + " MiB, each synced at its end as a PATCH must be"
                            : "one write, synced at its end", y, y / d, w, w / d);
            double k = median(sink);
            System.out.printf("ceiling: the same upload over 127.0.0.1 to a Helidon route that only drains the body, "
                    + "%.1f MB/s = %.2f of the direct write%n", k, k / d);
            System.out.printf("CPU per MiB (medians): direct write %.3f ms (this JVM); upload %.3f ms in the server "
                            + "(whole JVM: request, hasher, GC, JIT) + %.3f ms in the client that sends it%n",
                    median(directCpu), median(serverCpu), median(clientCpu));
            // what no upload on this machine avoids, per MiB: receiving it over HTTP (the draining sink's server
            // CPU), hashing it (the job's SHA-256), writing it (the direct write's CPU) and sending it (the client,
            // on the same cores here); spread perfectly over every core, it bounds the upload's speed
            int cores = Runtime.getRuntime().availableProcessors();
            double floor = median(sinkCpu) + median(hashCpu) + median(directCpu) + median(clientCpu);
            double bound = cores * 1000.0 / floor;
            System.out.printf("floor: CPU per MiB no upload avoids here: HTTP receive %.3f + SHA-256 %.3f + the direct "
                            + "write's %.3f + the client's %.3f = %.3f ms; on %d cores at perfect overlap %.1f MB/s = %.2f "
                            + "of the direct write (the upload: %.2f)%n",
                    median(sinkCpu), median(hashCpu), median(directCpu), median(clientCpu), floor, cores, bound,
                    bound / d, u / d);
            in.println("quit");
        } finally {
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroy();
            }
        }
    }

    private static double directWrite(BlobStore blobs, long size) throws IOException {
        long start = System.nanoTime();
        BlobInfo info = blobs.write(new BlobMetadata(ServerWithFakeAuth.ALICE.userId(), "bench", "video/mp4", "bench.mp4"),
                new GeneratedStream(size));
        double seconds = (System.nanoTime() - start) / 1e9;
        blobs.delete(info.id());
        return size / MIB / seconds;
    }

    /** CPU per MiB of the SHA-256 the job records, on this thread, over the same generated bytes. */
    private static double sha256Cpu(long size) throws IOException {
        java.security.MessageDigest sha256;
        try {
            sha256 = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] buffer = new byte[BUFFER];
        long start = threads.getCurrentThreadCpuTime();
        try (InputStream in = new GeneratedStream(size)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                sha256.update(buffer, 0, n);
            }
        }
        sha256.digest();
        return (threads.getCurrentThreadCpuTime() - start) / 1e6 / (size / MIB);
    }

    /**
     * What the server must do with the bytes besides receiving them over HTTP: the same store calls as the
     * upload (for tus the resumable appends of one PATCH's size each, which sync at their end as a PATCH must;
     * for multipart one write), optionally with the SHA-256 computed on the way, as the job records it; MB/s.
     */
    private static double storeWork(BlobStore blobs, long size, boolean hashed) throws IOException {
        java.security.MessageDigest sha256;
        try {
            sha256 = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        InputStream source = hashed ? new java.security.DigestInputStream(new GeneratedStream(size), sha256)
                : new GeneratedStream(size);
        BlobMetadata metadata = new BlobMetadata(ServerWithFakeAuth.ALICE.userId(), "bench", "video/mp4", "bench.mp4");
        long start = System.nanoTime();
        String id;
        if (tus) {
            id = blobs.createResumable(metadata);
            for (long offset = 0; offset < size; ) {
                offset = blobs.append(id, offset, org.apache.commons.io.input.BoundedInputStream.builder()
                        .setInputStream(source).setMaxCount(Math.min(TUS_CHUNK, size - offset))
                        .setPropagateClose(false).get());
            }
            blobs.completeResumable(id, size);
        } else {
            id = blobs.write(metadata, source).id();
        }
        sha256.digest();
        double seconds = (System.nanoTime() - start) / 1e9;
        blobs.delete(id);
        return size / MIB / seconds;
    }

    /**
     * A multipart parser alone: the same body (generated, in memory) through the gateway's parser, or
     * through commons-fileupload2's streaming iterator that it replaced, into a discarding buffer (no
     * socket, no hash, no store). No upload through that parser can be faster than this; MB/s.
     */
    private static double parseOnly(long size, boolean withCommons) throws IOException {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        InputStream body = new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(head),
                new GeneratedStream(size), new ByteArrayInputStream(tail))));
        RequestContext request = new AbstractRequestContext<>(name -> null, () -> head.length + size + tail.length, body) {
            @Override
            public String getCharacterEncoding() {
                return StandardCharsets.UTF_8.name();
            }

            @Override
            public String getContentType() {
                return "multipart/form-data; boundary=" + BOUNDARY;
            }

            @Override
            public InputStream getInputStream() {
                return body;
            }

            @Override
            public boolean isMultipartRelated() {
                return false;
            }
        };
        AbstractFileUpload<RequestContext, DiskFileItem, DiskFileItemFactory> parser = new AbstractFileUpload<>() {
            @Override
            public Map<String, List<DiskFileItem>> parseParameterMap(RequestContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<DiskFileItem> parseRequest(RequestContext context) {
                throw new UnsupportedOperationException();
            }
        };
        long start = System.nanoTime();
        long read = 0;
        byte[] buffer = new byte[BUFFER];
        if (!withCommons) {
            read = ParserProbe.drain("multipart/form-data; boundary=" + BOUNDARY, body, buffer);
        }
        FileItemInputIterator parts = withCommons ? parser.getItemIterator(request) : null;
        while (parts != null && parts.hasNext()) {
            try (InputStream part = parts.next().getInputStream()) {
                int n;
                while ((n = part.read(buffer)) != -1) {
                    read += n;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (read != size) {
            throw new IllegalStateException("the parser gave " + read + " bytes of " + size);
        }
        return size / MIB / seconds;
    }

    /** One multipart upload to the gateway; the job it answers. */
    static JobView upload(int port, long size) throws IOException {
        String response = post(port, "/api/v1/jobs", size);
        return Json.mapper().readValue(response.substring(response.indexOf("\r\n\r\n") + 4), JobView.class);
    }

    /**
     * One tus upload on one keep-alive connection: the creation, then PATCHes of {@code chunk} bytes generated
     * on the fly, as the CLI sends them; the job it made.
     */
    static JobView tusUpload(int port, long size, long chunk) throws IOException {
        patchWaitNanos = 0;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
            InputStream in = socket.getInputStream();
            String auth = "Authorization: Bearer " + ServerWithFakeAuth.ALICE_TOKEN + "\r\nTus-Resumable: 1.0.0\r\n";
            out.write(("POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Upload-Length: " + size
                    + "\r\nUpload-Metadata: filename YmVuY2gubXA0\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String created = RawHttp.readResponse(in);
            if (!created.startsWith("HTTP/1.1 201")) {
                throw new IllegalStateException("tus creation failed: " + created);
            }
            String location = created.lines().filter(l -> l.regionMatches(true, 0, "location:", 0, 9))
                    .map(l -> l.substring(9).trim()).findFirst().orElseThrow();
            GeneratedStream body = new GeneratedStream(size);
            byte[] buffer = new byte[BUFFER];
            for (long offset = 0; offset < size; ) {
                long length = Math.min(chunk, size - offset);
                out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Upload-Offset: " + offset
                        + "\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (long left = length; left > 0; ) {
                    int n = body.read(buffer, 0, (int) Math.min(buffer.length, left));
                    out.write(buffer, 0, n);
                    left -= n;
                }
                out.flush();
                long waitStart = System.nanoTime();
                String patched = RawHttp.readResponse(in);
                patchWaitNanos += System.nanoTime() - waitStart;
                if (!patched.startsWith("HTTP/1.1 204")) {
                    throw new IllegalStateException("tus PATCH at " + offset + " failed: " + patched);
                }
                offset += length;
            }
            String id = location.substring(location.lastIndexOf('/') + 1);
            out.write(("GET /api/v1/jobs/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = RawHttp.readResponse(in);
            return Json.mapper().readValue(response.substring(response.indexOf("\r\n\r\n") + 4), JobView.class);
        }
    }

    /** One multipart upload over a plain socket, the body generated on the fly; the 202 response. */
    private static String post(int port, String path, long size) throws IOException {
        byte[] head = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + ServerWithFakeAuth.ALICE_TOKEN + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY
                    + "\r\nContent-Length: " + (head.length + size + tail.length) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            new GeneratedStream(size).transferTo(out);
            out.write(tail);
            out.flush();
            String response = RawHttp.readResponse(socket.getInputStream());
            if (!response.startsWith("HTTP/1.1 202")) {
                throw new IllegalStateException("upload to " + path + " failed: " + response);
            }
            return response;
        }
    }

    static String expect(BufferedReader out, String prefix) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        throw new IllegalStateException("the bench server ended before answering " + prefix.trim());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code size} pseudo-random bytes, produced as they are read (a 1 MiB block repeated). */
    static final class GeneratedStream extends InputStream {
        private static final byte[] BLOCK = new byte[BUFFER];

        static {
            new Random(42).nextBytes(BLOCK);
        }

        private long remaining;

        GeneratedStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            return BLOCK[(int) (remaining-- % BUFFER)] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int pos = (int) (remaining % BUFFER);
            int n = (int) Math.min(Math.min(len, remaining), BUFFER - pos);
            System.arraycopy(BLOCK, pos, b, off, n);
            remaining -= n;
            return n;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = read(buffer, 0, buffer.length)) != -1) {
                out.write(buffer, 0, n);
                total += n;
            }
            return total;
        }
    }
}
