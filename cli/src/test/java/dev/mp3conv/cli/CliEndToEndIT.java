package dev.mp3conv.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The CLI against the real server: {@code server/target/mp3conv-server} started as a process with
 * the embedded stack and all roles, a sample video made with ffmpeg, the MP3 checked with ffprobe.
 * Runs in the full build ({@code ./mvnw verify} from the root), where the server module is packaged
 * before this one; skipped, saying so, when the server launcher has not been built.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEndToEndIT {
    private static final Path SERVER = Path.of("..", "server", "target", "mp3conv-server").toAbsolutePath().normalize();
    private static final String PASSWORD = "a long enough password\n";

    Path serverDir;

    Process server;
    String url;
    Path sample;

    @BeforeAll
    void startServer(@TempDir Path serverDir) throws Exception {
        this.serverDir = serverDir;
        Launcher.assertBuilt();
        assumeThat(SERVER).as("the server launcher, built by `./mvnw package` from the project root").isExecutable();
        int port = freePort();
        int adminPort = freePort();
        url = "http://127.0.0.1:" + port;
        ProcessBuilder builder = new ProcessBuilder(SERVER.toString())
                .directory(serverDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(serverDir.resolve("server.log").toFile());
        builder.environment().put("MP3CONV_DATA_DIR", serverDir.resolve("data").toString());
        builder.environment().put("SERVER_HOST", "127.0.0.1");
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        builder.environment().put("ADMIN_PORT", String.valueOf(adminPort));
        builder.environment().put("PUBLIC_URL", url);
        builder.environment().remove("MONGODB_URI");
        builder.environment().remove("AMQP_URI");
        server = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + adminPort + "/observe/health/ready");
        await("server ready (log: " + serverDir.resolve("server.log") + ")")
                .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .failFast("server exited", () -> !server.isAlive())
                .until(() -> http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200);
        sample = makeSample(serverDir.resolve("sample.mp4"));
    }

    @AfterAll
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void registerLoginUploadWaitStatusDownloadWithOutputPiped(@TempDir Path work, @TempDir Path config) throws Exception {
        Files.copy(sample, work.resolve("sample.mp4"));
        Launcher mp3conv = new Launcher(work, config, url);

        Launcher.Run register = mp3conv.piped(PASSWORD, "register", "--email", "piped@example.com", "--password-stdin");
        assertThat(register.exitCode()).as(register.toString()).isZero();
        Launcher.Run login = mp3conv.piped(PASSWORD, "login", "--email", "piped@example.com", "--password-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();

        Launcher.Run upload = mp3conv.piped("", "upload", "sample.mp4", "--bitrate", "192k", "--wait");
        assertThat(upload.exitCode()).as(upload + log()).isZero();
        Path mp3 = work.resolve("sample.mp3");
        assertThat(upload.out()).isEqualTo(mp3 + "\n");
        for (String text : List.of(upload.out(), upload.err())) {
            assertThat(text).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f]").doesNotContain("WARNING");
        }
        assertThat(upload.err()).contains("Uploading sample.mp4: ")
                .containsPattern("Converting sample\\.mp4: +\\[#{8}\\] 100%  DONE");
        assertProbesAs192kMp3(mp3);

        Launcher.Run status = mp3conv.piped("", "status", "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode job = Json.mapper().readTree(status.out()).get("items").get(0);
        assertThat(job.get("state").asText()).isEqualTo("DONE");
        assertThat(job.get("filename").asText()).isEqualTo("sample.mp4");
        assertThat(job.get("mp3_size").asLong()).isEqualTo(Files.size(mp3));

        Launcher.Run download = mp3conv.piped("", "download", job.get("id").asText(), "-o", "again.mp3");
        assertThat(download.exitCode()).as(download.toString()).isZero();
        assertThat(Files.readAllBytes(work.resolve("again.mp3"))).isEqualTo(Files.readAllBytes(mp3));

        Launcher.Run refused = mp3conv.piped("", "download", job.get("id").asText(), "-o", "again.mp3");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).endsWith("already exists; use --force to overwrite it\n");
    }

    @Test
    void audioOptionsReachTheMp3AndBadOnesNeverUpload(@TempDir Path work, @TempDir Path config) throws Exception {
        Files.copy(sample, work.resolve("sample.mp4"));
        Launcher mp3conv = new Launcher(work, config, url);
        assertThat(mp3conv.piped(PASSWORD, "register", "--email", "opts@example.com", "--password-stdin").exitCode())
                .isZero();
        assertThat(mp3conv.piped(PASSWORD, "login", "--email", "opts@example.com", "--password-stdin").exitCode())
                .isZero();

        Launcher.Run bad = mp3conv.piped("", "upload", "sample.mp4", "--loudness", "-3");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("mp3conv: loudness must be a target in LUFS from -40 to -9, e.g. -16\n");
        Launcher.Run none = mp3conv.piped("", "status", "--json");
        assertThat(Json.mapper().readTree(none.out()).get("items")).as("nothing was uploaded").isEmpty();

        Launcher.Run upload = mp3conv.piped("", "upload", "sample.mp4", "--loudness", "-16", "--start", "0.5",
                "--end", "0:01.5", "--mono", "--sample-rate", "32000", "--title", "Vortrag \u00fcber M\u00e4rz",
                "--artist", "Ann", "--cover", "--wait");
        assertThat(upload.exitCode()).as(upload + log()).isZero();
        JsonNode probe = Json.mapper().readTree(run(List.of("ffprobe", "-v", "error", "-print_format", "json",
                "-show_format", "-show_streams", work.resolve("sample.mp3").toString())));
        JsonNode audio = probe.get("streams").get(0);
        assertThat(audio.get("channels").asInt()).isEqualTo(1);
        assertThat(audio.get("sample_rate").asInt()).isEqualTo(32000);
        assertThat(probe.get("format").get("duration").asDouble()).isBetween(0.95, 1.1);
        assertThat(probe.get("format").get("tags").get("title").asText()).isEqualTo("Vortrag \u00fcber M\u00e4rz");
        assertThat(probe.get("streams")).anyMatch(s -> s.get("disposition").get("attached_pic").asInt() == 1);
        JsonNode job = Json.mapper().readTree(mp3conv.piped("", "status", "--json").out()).get("items").get(0);
        assertThat(job.get("measured_loudness").get("output_lufs").asDouble()).isBetween(-17.0, -15.0);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(command.toString()).isZero();
        return out;
    }

    @Test
    void uploadWaitInAPseudoTerminalDrawsBars(@TempDir Path work, @TempDir Path config) throws Exception {
        assumeThat(Launcher.SCRIPT).as("util-linux script makes the pseudo-terminal").isExecutable();
        Files.copy(sample, work.resolve("sample.mp4"));
        Launcher mp3conv = new Launcher(work, config, url);
        assertThat(mp3conv.piped(PASSWORD, "register", "--email", "tty@example.com", "--password-stdin").exitCode()).isZero();
        assertThat(mp3conv.piped(PASSWORD, "login", "--email", "tty@example.com", "--password-stdin").exitCode()).isZero();

        Launcher.Run run = mp3conv.terminal("upload sample.mp4 --bitrate 192k --wait");

        assertThat(run.exitCode()).as(run.out() + log()).isZero();
        assertThat(run.out()).containsPattern("\r[^\n]*Uploading sample\\.mp4: +\\[#{8}\\] 100%")
                .containsPattern("\r[^\n]*Converting sample\\.mp4: +\\[#{8}\\] 100%  DONE")
                .containsPattern("\r[^\n]*Downloading sample\\.mp3: +\\[#{8}\\] 100%")
                .doesNotContain("WARNING");
        assertProbesAs192kMp3(work.resolve("sample.mp3"));
    }

    @Test
    void anUploadKilledMidWayResumesWhereTheServerStoppedOnTheNextRun(@TempDir Path work, @TempDir Path config)
            throws Exception {
        Files.copy(sample, work.resolve("sample.mp4"));
        long size = Files.size(sample);
        Launcher mp3conv = new Launcher(work, config, url);
        assertThat(mp3conv.piped(PASSWORD, "register", "--email", "killed@example.com", "--password-stdin").exitCode()).isZero();
        assertThat(mp3conv.piped(PASSWORD, "login", "--email", "killed@example.com", "--password-stdin").exitCode()).isZero();
        String token = Json.mapper().readTree(config.resolve("config.json").toFile()).get("access_token").asText();

        // slow enough to be caught mid-way: 64 KiB requests at 64 KiB/s
        Process slow = mp3conv.start("upload", "sample.mp4", "--chunk-size", "64k", "--limit-rate", "64k");
        HttpClient http = HttpClient.newHttpClient();
        long[] stored = {0};
        await("a few chunks stored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .failFast("the slow upload ended by itself", () -> !slow.isAlive())
                .until(() -> {
                    String location = Json.mapper().readTree(config.resolve("uploads.json").toFile())
                            .elements().next().asText();
                    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(location))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .header("Authorization", "Bearer " + token).header("Tus-Resumable", "1.0.0").build(),
                            HttpResponse.BodyHandlers.discarding());
                    stored[0] = Long.parseLong(head.headers().firstValue("Upload-Offset").orElse("0"));
                    return stored[0] >= 2 * 64 * 1024;
                });
        slow.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(stored[0]).isLessThan(size);
        if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(config.resolve("uploads.json")))).isEqualTo("rw-------");
        }

        Launcher.Run again = mp3conv.piped("", "upload", "sample.mp4", "--bitrate", "192k", "--wait");
        assertThat(again.exitCode()).as(again + log()).isZero();
        java.util.regex.Matcher resumed = java.util.regex.Pattern.compile("resuming at (\\d+)% \\(").matcher(again.err());
        assertThat(resumed.find()).as(again.err()).isTrue();
        assertThat(Long.parseLong(resumed.group(1))).isGreaterThanOrEqualTo(stored[0] * 100 / size).isPositive();
        assertProbesAs192kMp3(work.resolve("sample.mp3"));
        // resumed, not restarted: the user has exactly one job, and nothing is remembered any more
        Launcher.Run status = mp3conv.piped("", "status", "--json");
        assertThat(Json.mapper().readTree(status.out()).get("items")).hasSize(1);
        assertThat(Json.mapper().readTree(config.resolve("uploads.json").toFile()).size()).isZero();
    }

    @Test
    void anUploadTheServerNoLongerHasStartsAnewInsteadOfFailing(@TempDir Path work, @TempDir Path config)
            throws Exception {
        Files.copy(sample, work.resolve("sample.mp4"));
        Launcher mp3conv = new Launcher(work, config, url);
        assertThat(mp3conv.piped(PASSWORD, "register", "--email", "gone@example.com", "--password-stdin").exitCode()).isZero();
        assertThat(mp3conv.piped(PASSWORD, "login", "--email", "gone@example.com", "--password-stdin").exitCode()).isZero();
        String token = Json.mapper().readTree(config.resolve("config.json").toFile()).get("access_token").asText();
        Process slow = mp3conv.start("upload", "sample.mp4", "--chunk-size", "64k", "--limit-rate", "64k");
        String[] location = {null};
        await("the upload is remembered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .failFast("the slow upload ended by itself", () -> !slow.isAlive())
                .until(() -> (location[0] = Json.mapper().readTree(config.resolve("uploads.json").toFile())
                        .elements().next().asText()) != null);
        slow.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // the server forgets it (as after its expiry): tus termination
        HttpResponse<Void> terminated = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(location[0]))
                .DELETE().header("Authorization", "Bearer " + token).header("Tus-Resumable", "1.0.0").build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(terminated.statusCode()).isEqualTo(204);

        Launcher.Run again = mp3conv.piped("", "upload", "sample.mp4", "--bitrate", "192k", "--wait");
        assertThat(again.exitCode()).as(again + log()).isZero();
        assertThat(again.err()).doesNotContain("resuming");
        assertProbesAs192kMp3(work.resolve("sample.mp3"));
        assertThat(Json.mapper().readTree(config.resolve("uploads.json").toFile()).size()).isZero();
    }

    private static void assertProbesAs192kMp3(Path mp3) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-select_streams", "a:0",
                "-show_entries", "stream=codec_name,bit_rate:format=duration", "-of", "json", mp3.toString())
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(out).isZero();
        JsonNode json = Json.mapper().readTree(out);
        assertThat(json.get("streams").get(0).get("codec_name").asText()).isEqualTo("mp3");
        assertThat(json.get("streams").get(0).get("bit_rate").asLong()).isEqualTo(192_000);
        assertThat(json.get("format").get("duration").asDouble()).isBetween(9.8, 10.3);
    }

    private static Path makeSample(Path target) throws IOException, InterruptedException {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=duration=10:size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", target.toString())
                .redirectErrorStream(true).start();
        String out = new String(ffmpeg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ffmpeg.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(ffmpeg.exitValue()).as("ffmpeg: " + out).isZero();
        return target;
    }

    private String log() {
        try {
            List<String> lines = Files.readAllLines(serverDir.resolve("server.log"));
            return "\n--- server log (tail):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "\n(no server log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
