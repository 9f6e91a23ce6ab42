package dev.mp3conv.server.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The converter as a real child process of the packaged launcher, single-machine shape (embedded store,
 * files, in-process queue): its ffmpeg dies within seconds of a {@code kill -9} of the JVM and the scratch
 * files it left are removed at the next start; and under umask 000 everything it creates under the data
 * directory is owner-only.
 */
class ConverterProcessIT {
    private static final Map<String, String> EMBEDDED = Map.of("MONGODB_URI", "", "AMQP_URI", "",
            "CONVERTER_CONCURRENCY", "1");

    @TempDir
    Path tmp;
    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void ffmpegDiesWithinFiveSecondsOfAKill9AndTheDeadProcessesScratchGoesAtTheNextStart() throws Exception {
        cluster = new ProcessCluster("converter-kill9");
        ProcessCluster.Node node = cluster.start("gateway", "gateway,auth,converter", EMBEDDED);
        cluster.awaitReady(node);
        String token = cluster.userToken("kill9@example.test");
        // VBR: ffmpeg reads a linked file and writes an MP3 file; only its stderr (-progress every 0.5 s) is a
        // pipe to the JVM. A child that writes nothing is tied to the JVM too (ChildProcessesIT)
        JobView job = upload(node, token, Samples.silence(tmp, 1800), "quality", "2");
        ProcessHandle ffmpeg = await("ffmpeg encoding").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> encoder(node), found -> found != null);
        Path scratch = cluster.dir().resolve("gateway-data").resolve("converter-tmp");
        List<Path> left = await("the MP3 being written in the scratch directory").atMost(Duration.ofSeconds(10))
                .until(() -> files(scratch), files -> files.stream().anyMatch(f -> f.toString().endsWith(".mp3")));

        long killed = System.nanoTime();
        cluster.kill(node);
        await("ffmpeg gone").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> !running(ffmpeg.pid()));
        Duration lived = Duration.ofNanos(System.nanoTime() - killed);
        assertThat(lived).isLessThan(Duration.ofSeconds(5));
        assertThat(files(scratch)).as("a kill -9 cleans nothing up").containsAll(left);

        ProcessCluster.Node again = cluster.start("gateway", "gateway,auth,converter", EMBEDDED);
        cluster.awaitReady(again);
        assertThat(left).allSatisfy(file -> assertThat(file).doesNotExist());
        assertThat(again.output()).contains("removed the scratch files of 1 converter process(es) that died");
        // and the job the dead process held is converted by the new one
        JobView done = await("job done after the restart").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> new ClusterClient(again, token).job(job.id()), j -> j.state().terminal());
        assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
    }

    @Test
    void underUmask000EverythingUnderTheDataDirectoryIsOwnerOnly() throws Exception {
        cluster = new ProcessCluster("owner-only");
        Map<String, String> env = new java.util.HashMap<>(EMBEDDED);
        env.put("UMASK", "000");
        env.put("CONVERTER_FFMPEG", "bundled"); // extracted under the data directory
        ProcessCluster.Node node = cluster.start("gateway", "gateway,auth,converter", env);
        cluster.awaitReady(node);
        Path data = cluster.dir().resolve("gateway-data");
        String token = cluster.userToken("owner@example.test");
        JobView vbr = upload(node, token, Samples.silence(tmp, 900), "quality", "2");
        await("the VBR MP3 being written").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> files(data.resolve("converter-tmp")).stream().anyMatch(f -> f.toString().endsWith(".mp3")));
        Map<String, String> whileConverting = modes(data);
        JobView cbr = upload(node, token, Samples.silence(tmp, 5), "bitrate", "128k");
        ClusterClient client = new ClusterClient(node, token);
        for (JobView job : List.of(vbr, cbr)) {
            JobView done = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client.job(job.id()), j -> j.state().terminal());
            assertThat(done.state()).as("%s", done.error()).isEqualTo(JobState.DONE);
        }
        Map<String, String> afterwards = modes(data);
        cluster.terminate(node);
        Map<String, String> stopped = modes(data);

        assertThat(whileConverting.keySet()).anyMatch(p -> p.endsWith(".mp3"))
                .anyMatch(p -> p.endsWith("/input")).anyMatch(p -> p.startsWith("metadata/"))
                .anyMatch(p -> p.startsWith("blobs/")).anyMatch(p -> p.startsWith("auth/"))
                .anyMatch(p -> p.startsWith("ffmpeg/"));
        for (Map<String, String> snapshot : List.of(whileConverting, afterwards, stopped)) {
            assertThat(snapshot).allSatisfy((path, mode) -> {
                boolean executable = path.startsWith("ffmpeg/") && path.endsWith("/ffmpeg");
                String expected = mode.startsWith("d") || executable ? "rwx------" : "rw-------";
                assertThat(mode.substring(1)).as(path).isEqualTo(expected);
            });
        }
    }

    /** Modes of everything under a directory, by relative path ({@code d} or {@code -} first). */
    private static Map<String, String> modes(Path root) throws IOException {
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(p -> !p.equals(root)).toList()) {
                try {
                    modes.put(root.relativize(path).toString(), (Files.isDirectory(path) ? "d" : "-")
                            + PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
                } catch (NoSuchFileException e) {
                    // a scratch file that went while walking
                }
            }
        }
        return modes;
    }

    private static List<Path> files(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).toList();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // changed while walking: look again
        }
    }

    private static ProcessHandle encoder(ProcessCluster.Node node) {
        return node.process().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("libmp3lame")).findFirst().orElse(null);
    }

    /** Whether a process runs (a zombie waiting for a reaper does not). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code POST /api/v1/jobs} with one form field before the file. */
    private static JobView upload(ProcessCluster.Node node, String token, byte[] content, String field, String value)
            throws IOException, InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + ClusterClient.CONTENT_TYPE.substring(ClusterClient.CONTENT_TYPE.indexOf('=') + 1)
                + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(ClusterClient.multipart("silence.flac", content));
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(node.uri("/api/v1/jobs"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", ClusterClient.CONTENT_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(202);
        return ClusterClient.jobOf(res);
    }
}
