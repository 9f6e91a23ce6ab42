package dev.mp3conv.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.storage.Mongo;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * Peak live heap of a gateway on GridFS taking uploads at once, at the launcher's default heap: the gateway
 * runs in its own JVM with {@code -bench.server.jvm} (default the launcher's memory options and
 * {@code -XX:+ExitOnOutOfMemoryError}, as the chart runs it), the store is mongo-java-server's memory
 * backend in this JVM. For multipart and then tus, batches of 1, 4 and 8 (or the given counts) uploads at
 * once; per batch: every upload's outcome, whether the server survived, the peak live heap above the
 * post-GC baseline, and that per upload. A server that died is started again for the next batch.
 *
 * <pre>ConcurrentUploadBench &lt;MiB per upload&gt; [counts, e.g. 1,4,8] [tus PATCH MiB]</pre>
 */
public final class ConcurrentUploadBench {
    private static final double MIB = 1024.0 * 1024.0;
    /** The server launcher's memory options (server/pom.xml {@code launcher.memory-opts}) and the chart's javaOpts. */
    public static final String LAUNCHER_DEFAULTS = launcherMemoryOptions() + " -XX:+ExitOnOutOfMemoryError";

    private static String launcherMemoryOptions() {
        for (String pom : List.of("pom.xml", "server/pom.xml")) {
            try {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<launcher.memory-opts>([^<]+)</launcher.memory-opts>").matcher(java.nio.file.Files.readString(
                        java.nio.file.Path.of(pom)));
                if (m.find()) {
                    return m.group(1).trim();
                }
            } catch (java.io.IOException e) {
                // try the next place
            }
        }
        throw new IllegalStateException("no launcher.memory-opts in pom.xml or server/pom.xml");
    }

    private ConcurrentUploadBench() {
    }

    public static void main(String[] args) throws Exception {
        long size = (args.length > 0 ? Long.parseLong(args[0]) : 64) * 1024 * 1024;
        int[] counts = Arrays.stream((args.length > 1 ? args[1] : "1,4,8").split(",")).mapToInt(Integer::parseInt).toArray();
        long tusChunk = (args.length > 2 ? Long.parseLong(args[2]) : 32) * 1024 * 1024;
        List<String> jvm = List.of(System.getProperty("bench.server.jvm", LAUNCHER_DEFAULTS).trim().split("\\s+"));
        System.out.printf("server JVM: %s; %d MiB per upload, tus PATCHes of %d MiB%n", String.join(" ", jvm),
                size >> 20, tusChunk >> 20);
        MongoServer mongoServer = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongoServer.bind();
        String uri = "mongodb://127.0.0.1:" + address.getPort();
        try (Mongo mongo = Mongo.connect(uri, "mp3conv", 10_000)) {
            for (boolean tus : new boolean[] {false, true}) {
                ConcurrentUploads.Gateway gateway = new ConcurrentUploads.Gateway(jvm, uri);
                try {
                    for (int n : counts) {
                        if (!gateway.alive()) {
                            gateway.close();
                            gateway = new ConcurrentUploads.Gateway(jvm, uri);
                        }
                        ConcurrentUploads.Result r = gateway.batch(n, size, tus, tusChunk);
                        long ok = r.jobs().stream().filter(j -> j instanceof JobView v && v.size() == size).count();
                        List<String> failures = new ArrayList<>();
                        r.jobs().stream().filter(j -> !(j instanceof JobView)).forEach(j -> failures.add(String.valueOf(j)));
                        double growth = (r.peakLive() - r.baseline()) / MIB;
                        System.out.printf("RESULT %s uploads=%d ok=%d serverAlive=%s baseline=%.1fMiB "
                                        + "peakLive=+%.1fMiB perUpload=%.1fMiB peakUsedInclGarbage=+%.1fMiB %.1fs%s%n",
                                tus ? "tus" : "multipart", n, ok, r.alive(), r.baseline() / MIB,
                                r.alive() ? growth : Double.NaN, r.alive() ? growth / n : Double.NaN,
                                r.alive() ? (r.peakUsed() - r.baseline()) / MIB : Double.NaN, r.seconds(),
                                failures.isEmpty() ? "" : " failures=" + failures.stream().distinct().toList());
                        clear(mongo);
                    }
                } finally {
                    gateway.close();
                }
            }
        } finally {
            mongoServer.shutdownNow();
        }
    }

    /** Drops the stored blobs between batches (the memory backend holds them in this JVM's heap). */
    static void clear(Mongo mongo) {
        for (String c : List.of("fs.chunks", "fs.files", "fs.uploads")) {
            Mono.from(mongo.database().getCollection(c).deleteMany(new Document())).block();
        }
    }
}
