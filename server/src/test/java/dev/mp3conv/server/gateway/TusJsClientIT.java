package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The endpoint driven by the real tus-js-client from npm (its Node build; the web page uses the same
 * library): small chunks, the server restarted between two chunks, and the resume starting at the offset
 * the server stored. The package is installed at a pinned version into {@code target/node} (npm must be on
 * PATH; without it the test is skipped, saying so, unless {@code CI} is set).
 */
class TusJsClientIT {
    /** Pinned: the version the web page is written against. */
    static final String TUS_JS_CLIENT = "tus-js-client@4.3.1";
    private static final Path NODE_DIR = Path.of("target", "node").toAbsolutePath();
    private static final Path SCRIPT = Path.of("src", "test", "node", "tus-upload.cjs").toAbsolutePath();
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    private Mp3convServer server;

    @BeforeAll
    static void installTusJsClient() throws Exception {
        boolean npm = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start().waitFor() == 0;
        if (System.getenv("CI") == null) {
            assumeThat(npm).as("npm on PATH (Node.js 18+) to install " + TUS_JS_CLIENT).isTrue();
        }
        if (Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("tus-js-client"))) {
            return;
        }
        Process install = new ProcessBuilder("npm", "install", "--prefix", NODE_DIR.toString(), "--no-audit",
                "--no-fund", "--no-save", TUS_JS_CLIENT).redirectErrorStream(true).start();
        String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(install.exitValue()).as("npm install " + TUS_JS_CLIENT + ": " + out).isZero();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tusJsClientUploadsInSmallChunksAndResumesAfterAServerRestartAtTheStoredOffset() throws Exception {
        byte[] video = GatewayClient.randomBytes(10 * CHUNK + 12_345, 11);
        Path file = Files.write(work.resolve("video.mp4"), video);
        server = ServerWithFakeAuth.start(dataDir, Map.of());

        List<String> first = node(file, 3 * CHUNK, null);
        String stopped = first.stream().filter(l -> l.startsWith("stopped ")).findFirst()
                .orElseThrow(() -> new AssertionError("tus-js-client did not stop: " + first));
        String url = stopped.split(" ")[1];
        assertThat(first).contains("patch-at 0", "patch-at " + CHUNK, "patch-at " + 2 * CHUNK);
        String path = url.substring(url.indexOf("/api/v1/uploads/"));
        String id = path.substring(path.lastIndexOf('/') + 1);
        long offset = new TusHttp(server.port(), ServerWithFakeAuth.ALICE_TOKEN).offset(path);
        // at least the three accepted chunks; more if the abort cut a fourth PATCH short (what arrived is kept)
        assertThat(offset).isGreaterThanOrEqualTo(3L * CHUNK).isLessThan(video.length);
        assertThat(server.backend().jobs().find(id).orElseThrow().state()).isEqualTo(JobState.UPLOADING);

        server.close();
        server = ServerWithFakeAuth.start(dataDir, Map.of());
        // the same upload on the restarted server (it listens on a new port)
        List<String> second = node(file, 0, "http://127.0.0.1:" + server.port() + path);
        assertThat(second).as("output of the resumed run").contains("head-offset " + offset)
                .doesNotContain("patch-at 0").anyMatch(l -> l.startsWith("success "));
        assertThat(second.stream().filter(l -> l.startsWith("patch-at ")).findFirst())
                .as("the first PATCH after the restart").contains("patch-at " + offset);

        Job job = server.backend().jobs().find(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.filename()).isEqualTo("from-node.mp4");
        assertThat(job.contentType()).isEqualTo("video/mp4");
        assertThat(job.bitrate()).isEqualTo("128k");
        assertThat(job.sha256()).isEqualTo(GatewayClient.sha256(video));
        try (InputStream in = server.backend().blobs().open(job.videoFid())) {
            assertThat(in.readAllBytes()).isEqualTo(video);
        }
    }

    private List<String> node(Path file, long stopAfter, String uploadUrl) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", SCRIPT.toString(),
                "http://127.0.0.1:" + server.port() + "/api/v1/uploads", ServerWithFakeAuth.ALICE_TOKEN,
                file.toString(), String.valueOf(CHUNK), String.valueOf(stopAfter)));
        if (uploadUrl != null) {
            command.add(uploadUrl);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NODE_PATH", NODE_DIR.resolve("node_modules").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(process.exitValue()).as("node: " + out).isZero();
        return out.lines().toList();
    }
}
