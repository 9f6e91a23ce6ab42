package dev.mp3conv.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import io.helidon.webserver.WebServer;

/**
 * The server side of {@link UploadBench}: a gateway-only mp3conv server in its own JVM (started with
 * {@code -Xmx256m}) that accepts the fake test tokens and measures its own heap, beside a Helidon server
 * whose {@code POST /sink} only drains the body. It answers on stdout: {@code SINK <n>} and {@code PORT <n>}
 * once up; to {@code mark} (full GC, baseline, reset peaks) {@code OK}; to {@code report}
 * {@code HEAP <baseline> <peakUsed> <peakLiveAfterGc> <usedAfterFullGc>} in bytes; {@code quit} stops it.
 */
public final class UploadBenchServer {
    private static final long SAMPLE_MILLIS = 10;

    private UploadBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("gateway.max-upload-size", "8g"));
        if (args.length > 1) {
            config.put("mongodb.uri", args[1]);
        }
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        AtomicLong peakUsed = new AtomicLong();
        AtomicLong peakLive = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (true) {
                long used = 0;
                long live = 0;
                for (MemoryPoolMXBean pool : heapPools) {
                    used += pool.getUsage().getUsed();
                    // usage right after the last collection of this pool: what survived, not garbage
                    live += pool.getCollectionUsage() == null ? pool.getUsage().getUsed() : pool.getCollectionUsage().getUsed();
                }
                final long u = used;
                final long l = live;
                peakUsed.accumulateAndGet(u, Math::max);
                peakLive.accumulateAndGet(l, Math::max);
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        WebServer sink = DrainingSink.start();
        try (Mp3convServer server = ServerWithFakeAuth.start(Path.of(args[0]), config)) {
            System.out.println("SINK " + sink.port());
            System.out.println("PORT " + server.port());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long baseline = 0;
            long cpuAtMark = 0;
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                if (line.equals("mark")) {
                    baseline = usedAfterFullGc();
                    peakUsed.set(baseline);
                    peakLive.set(baseline);
                    cpuAtMark = processCpuNanos();
                    System.out.println("OK");
                } else if (line.equals("report")) {
                    long cpu = processCpuNanos() - cpuAtMark;
                    long after = usedAfterFullGc();
                    System.out.println("CPU " + cpu);
                    System.out.println("HEAP " + baseline + " " + peakUsed.get() + " " + peakLive.get() + " " + after);
                }
                System.out.flush();
            }
        } finally {
            sampler.interrupt();
            sink.stop();
        }
    }

    /** CPU time (user + system) of this whole JVM: request threads, hasher, GC, JIT. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedAfterFullGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
