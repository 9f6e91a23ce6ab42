package dev.mp3conv.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged launcher ({@code target/mp3conv-server}, written by {@code package}) as an operator runs it.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("target", "mp3conv-server");

    @TempDir
    Path dataDir;

    private Process launch(Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MP3CONV_DATA_DIR", dataDir.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The launcher under {@code ulimit -n}, as a container with a low open-file limit runs it. */
    private Process launchLimited(int openFiles, Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
                "ulimit -n " + openFiles + " && exec \"$0\"", LAUNCHER.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("MP3CONV_DATA_DIR", dataDir.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void awaitReady(int admin) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() ->
                assertThat(http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200));
    }

    private static int status(String url, Duration timeout) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    /** Opens {@code count} connections that send nothing; a refused one is counted, not thrown. */
    private static List<Socket> idleConnections(int port, int count, int[] refused) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            assertThat(unix.getMaxFileDescriptorCount()).as("open-file limit of the test JVM (ulimit -n): the flood "
                    + "needs %d sockets of its own", count).isGreaterThan(count + 1000L);
        }
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                sockets.add(socket);
            } catch (IOException e) {
                refused[0]++;
                closeQuietly(socket);
            }
        }
        return sockets;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }

    @Test
    void aPortInUseExitsNonZeroWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path out = dataDir.resolve("out.txt");
            Process process = launch(Map.of("SERVER_PORT", String.valueOf(taken.getLocalPort()),
                    "ADMIN_PORT", String.valueOf(freePort())), out);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList();
            // the start's INFO lines come first; the failure is one line, the last, without a stack trace
            assertThat(lines.getLast()).isEqualTo("mp3conv-server: cannot listen for the API on 0.0.0.0:" + taken.getLocalPort()
                    + " (Address already in use); check server.host/server.port (SERVER_HOST, SERVER_PORT)");
            assertThat(lines).filteredOn(line -> line.startsWith("mp3conv-server:")).hasSize(1);
            assertThat(lines).noneMatch(line -> line.contains("Exception") || line.startsWith("\tat "))
                    .noneMatch(line -> line.contains("API on port"));
        }
    }

    @Test
    void fifteenHundredIdleConnectionsUnderUlimit1024DoNotStopTheApi() throws Exception {
        int port = freePort();
        int admin = freePort();
        Path out = dataDir.resolve("out.txt");
        Process process = launchLimited(1024, Map.of("SERVER_PORT", String.valueOf(port), "ADMIN_PORT", String.valueOf(admin)), out);
        try {
            awaitReady(admin);
            int[] refused = new int[1];
            long began = System.nanoTime();
            List<Socket> flood = idleConnections(port, 1500, refused);
            try {
                // health, on its own socket, answers UP while the public listener is full
                assertThat(status("http://127.0.0.1:" + admin + "/observe/health/ready", Duration.ofSeconds(10))).isEqualTo(200);
                // a prompt request takes the place of an idle one: answered while the flood is still open
                long asked = System.nanoTime();
                assertThat(status("http://127.0.0.1:" + port + "/.well-known/jwks.json", Duration.ofSeconds(10))).isEqualTo(200);
                long answered = System.nanoTime() - asked;
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + admin + "/observe/metrics")).header("Accept", "text/plain").build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                double evicted = metrics.lines().filter(l -> l.startsWith("mp3conv_http_connections_shed_total")
                        && l.contains("outcome=\"evicted\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                        .sum();
                System.out.printf("flood: %d connections opened (%d refused by the kernel) in %d ms; %.0f idle ones closed "
                        + "by the server to make room; an API request during the flood was answered after %d ms%n",
                        flood.size(), refused[0], (asked - began) / 1_000_000, evicted, answered / 1_000_000);
                // 512 fit under ulimit 1024 (half of it); every further connection displaced an idle one
                assertThat(evicted).isGreaterThanOrEqualTo(1500 - 512);
            } finally {
                flood.forEach(LauncherIT::closeQuietly);
            }
            assertThat(process.isAlive()).isTrue();
            assertThat(status("http://127.0.0.1:" + port + "/.well-known/jwks.json", Duration.ofSeconds(10))).isEqualTo(200);
            assertThat(status("http://127.0.0.1:" + admin + "/observe/health/ready", Duration.ofSeconds(10))).isEqualTo(200);
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(out)).doesNotContain("Too many open files").doesNotContain("terminating now");
    }

    @Test
    void withoutTheCapTheListenerDiesOfTheFloodAndTheProcessExitsNonZero() throws Exception {
        int port = freePort();
        int admin = freePort();
        Path out = dataDir.resolve("out.txt");
        Process process = launchLimited(1024, Map.of("SERVER_PORT", String.valueOf(port), "ADMIN_PORT", String.valueOf(admin),
                "SERVER_MAX_CONNECTIONS", "-1"), out);
        List<Socket> flood = List.of();
        try {
            awaitReady(admin);
            flood = idleConnections(port, 1500, new int[1]);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits once its listener is gone").isTrue();
        } finally {
            flood.forEach(LauncherIT::closeQuietly);
            process.destroyForcibly();
        }
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(Files.readString(out)).contains("Too many open files")
                .contains("mp3conv-server: the API listener on port " + port + " stopped accepting connections");
    }

    private static int freePort() {
        return dev.mp3conv.server.testing.FreePorts.next();
    }

    /** The JVM's flags as the launcher starts it for these settings ({@code --version}: no server starts). */
    private String jvmFlags(Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(dataDir, "flags-", ".txt");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.merge("JAVA_OPTS", "-XX:+PrintCommandLineFlags", (given, flags) -> given + " " + flags);
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "--version")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().remove("APP_ROLES");
        builder.environment().remove("CONVERTER_CONCURRENCY");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().putAll(all);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static String maxHeap(long mib) {
        return "-XX:MaxHeapSize=" + mib * 1024 * 1024 + " ";
    }

    @Test
    void aConverterOnlyProcessGetsTheConverterMemoryDefaultsSizedByItsSlots() throws Exception {
        String allRoles = jvmFlags(Map.of());
        assertThat(allRoles).contains(maxHeap(64), "-XX:+UseSerialGC").doesNotContain("-XX:-TieredCompilation");
        assertThat(jvmFlags(Map.of("APP_ROLES", "gateway,auth"))).contains(maxHeap(64));
        // 24 MiB up to two slots, 8 MiB more per further slot; spaces and case as the server accepts them
        assertThat(jvmFlags(Map.of("APP_ROLES", " Converter ", "CONVERTER_CONCURRENCY", "1")))
                .contains(maxHeap(24), "-XX:+UseSerialGC", "-XX:-TieredCompilation");
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter", "CONVERTER_CONCURRENCY", "4"))).contains(maxHeap(40));
        // not a number (the server refuses it with its own message): the heap of two slots
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter", "CONVERTER_CONCURRENCY", "4; rm -rf /")))
                .contains(maxHeap(24));
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter", "CONVERTER_CONCURRENCY", "99999999999999999999")))
                .contains(maxHeap(8 + 8 * 64));
        // a JAVA_OPTS that sizes the heap replaces the defaults, the converter's too
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter", "JAVA_OPTS", "-Xmx100m")))
                .contains(maxHeap(100)).doesNotContain("-XX:-TieredCompilation", "-XX:+UseSerialGC");
    }

    /**
     * The arguments the launcher gives a stand-in runtime whose {@code release} file names {@code version}: a
     * script that prints them, one per line, as {@code bin/java} of a directory JAVA_HOME points at.
     */
    private String argumentsFor(String version) throws Exception {
        Path home = Files.createDirectories(dataDir.resolve("jdk-" + version).resolve("bin")).getParent();
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path runtime = home.resolve("bin").resolve("java");
        Files.writeString(runtime, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = Files.createTempFile(dataDir, "args-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "--version")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().remove("APP_ROLES");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("JAVA_HOME", home.toString());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void aJdk21GaRuntimeStartsWithoutTheNativeHeapTrimItDoesNotKnow() throws Exception {
        // -XX:TrimNativeHeapInterval came with 21.0.1: 21.0.0 would refuse to start with it
        assertThat(argumentsFor("21.0.0")).contains("-XX:+UseSerialGC\n").doesNotContain("TrimNativeHeapInterval");
        assertThat(argumentsFor("21")).contains("-XX:+UseSerialGC\n").doesNotContain("TrimNativeHeapInterval");
        assertThat(argumentsFor("21.0.1")).contains("-XX:TrimNativeHeapInterval=2000\n");
        assertThat(argumentsFor("25.0.3")).contains("-XX:TrimNativeHeapInterval=2000\n");
    }

    @Test
    void aConverterOnlyProcessMapsTheConverterCacheWhenTheBuildMadeOne() throws Exception {
        Path allRolesCache = LAUNCHER.toAbsolutePath().resolveSibling("mp3conv-server.aot");
        Path converterCache = LAUNCHER.toAbsolutePath().resolveSibling("mp3conv-server-converter.aot");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(allRolesCache) && Files.exists(converterCache),
                "the build made both AOT caches (JDK 25+)");
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter"))).contains("-XX:AOTCache=" + converterCache + " ");
        assertThat(jvmFlags(Map.of("APP_ROLES", "converter,notifier"))).contains("-XX:AOTCache=" + allRolesCache + " ");
    }

    @Test
    void unknownRoleExitsNonZeroWithOneLine() throws Exception {
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("APP_ROLES", "gateway,bogus"), out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).containsExactly("mp3conv-server: unknown role 'bogus' in APP_ROLES (app.roles); "
                + "expected a comma list of auth, gateway, converter, notifier");
    }

    @Test
    void badMongoUriExitsNonZeroWithOneLine() throws Exception {
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("MONGODB_URI", "mongodb://127.0.0.1:1", "JAVA_OPTS", "-Dmongodb.timeout=1s"), out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).startsWith("mp3conv-server: cannot reach MongoDB at mongodb://127.0.0.1:1/");
    }

    @Test
    void startsAnswersHealthAndStopsCleanlyOnSigterm() throws Exception {
        int port = freePort();
        int admin = freePort();
        Path out = dataDir.resolve("out.txt");
        Process process = launch(Map.of("SERVER_PORT", String.valueOf(port), "ADMIN_PORT", String.valueOf(admin)), out);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/observe/health"))
                    .timeout(Duration.ofSeconds(5)).build();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> health = http.send(ready, HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"UP\"");
            });
        } finally {
            process.destroy(); // SIGTERM
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute of SIGTERM").isTrue();
        assertThat(process.exitValue()).as("exit code of a JVM ended by SIGTERM").isEqualTo(143);
        assertThat(Files.readString(out)).contains("mp3conv up", "shutting down", "stopped").doesNotContain("Exception");
        assertThat(dataDir.resolve("metadata").resolve("metadata.mv")).exists();
    }
}
