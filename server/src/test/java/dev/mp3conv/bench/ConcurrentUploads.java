package dev.mp3conv.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobView;

/**
 * Concurrent uploads into a gateway in its own JVM with a bounded heap: starts {@link UploadBenchServer}
 * with the given JVM options (e.g. the launcher's {@code -XX:+UseSerialGC -Xmx64m} and
 * {@code -XX:+ExitOnOutOfMemoryError}) on a MongoDB store, sends {@code uploads} uploads of {@code size}
 * bytes at once (multipart or tus), and reports what the server's heap held. Used by
 * {@code ConcurrentUploadBench} (figures) and {@code GridFsHeapProcessIT} (the server survives).
 */
public final class ConcurrentUploads {
    private ConcurrentUploads() {
    }

    /**
     * What one batch did.
     *
     * @param jobs          the jobs the uploads made, or the failure of each upload
     * @param baseline      server heap after full GCs before the batch, bytes
     * @param peakLive      highest heap left after a collection during the batch, bytes
     * @param peakUsed      highest heap used (garbage included) during the batch, bytes
     * @param alive         the server process still ran after the batch
     * @param seconds       wall time of the batch
     */
    public record Result(List<Object> jobs, long baseline, long peakLive, long peakUsed, boolean alive, double seconds) {
    }

    /** A gateway process; {@link #batch} runs uploads against it. */
    public static final class Gateway implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        private final int port;
        private final Path dataDir;

        /**
         * Starts it.
         *
         * @param jvmOptions options of the server JVM
         * @param mongoUri   the store
         * @throws Exception when it does not come up
         */
        public Gateway(List<String> jvmOptions, String mongoUri) throws Exception {
            dataDir = Files.createTempDirectory("concurrent-uploads-");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dio.netty.noUnsafe=true"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), UploadBenchServer.class.getName(),
                    dataDir.toString(), mongoUri));
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            UploadBench.expect(out, "SINK ");
            port = Integer.parseInt(UploadBench.expect(out, "PORT ").trim());
        }

        /** @return the server JVM's pid */
        public long pid() {
            return process.pid();
        }

        /** @return the API port */
        public int port() {
            return port;
        }

        /**
         * Sends {@code uploads} uploads at once and waits for all.
         *
         * @param uploads   how many at once
         * @param size      bytes each
         * @param tus       through {@code /api/v1/uploads} in PATCHes of {@code tusChunk} instead of multipart
         * @param tusChunk  bytes per PATCH
         * @return what happened
         * @throws Exception when the server stopped answering its control channel
         */
        public Result batch(int uploads, long size, boolean tus, long tusChunk) throws Exception {
            in.println("mark");
            UploadBench.expect(out, "OK");
            long start = System.nanoTime();
            List<Object> jobs = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(uploads)) {
                List<Future<JobView>> futures = new ArrayList<>();
                for (int i = 0; i < uploads; i++) {
                    futures.add(pool.submit(() -> tus ? UploadBench.tusUpload(port, size, tusChunk)
                            : UploadBench.upload(port, size)));
                }
                for (Future<JobView> f : futures) {
                    try {
                        jobs.add(f.get(10, TimeUnit.MINUTES));
                    } catch (java.util.concurrent.ExecutionException e) {
                        jobs.add(e.getCause());
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!process.isAlive()) {
                return new Result(jobs, 0, 0, 0, false, seconds);
            }
            in.println("report");
            UploadBench.expect(out, "CPU ");
            String[] heap = UploadBench.expect(out, "HEAP ").trim().split(" ");
            return new Result(jobs, Long.parseLong(heap[0]), Long.parseLong(heap[2]), Long.parseLong(heap[1]),
                    process.isAlive(), seconds);
        }

        /** @return whether the process runs */
        public boolean alive() {
            return process.isAlive();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                in.println("quit");
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            UploadBench.deleteTree(dataDir);
        }
    }
}
