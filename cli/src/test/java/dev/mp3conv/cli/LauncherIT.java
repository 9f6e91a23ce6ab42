package dev.mp3conv.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Runs the packaged launcher {@code target/mp3conv} as a process against the fake API:
 * once with stdout and stderr piped (plain progress lines, no control characters, no JVM
 * warnings), once inside a pseudo-terminal made by util-linux {@code script} (progress bars).
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("target", "mp3conv").toAbsolutePath();

    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void start() throws IOException {
        assertThat(LAUNCHER).as("run `./mvnw package` first: the launcher is built in the package phase").isExecutable();
        api = new FakeApi();
        byte[] video = new byte[3_000_000];
        new Random(7).nextBytes(video);
        Files.write(work.resolve("talk.mp4"), video);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void pipedOutputHasNoControlCharactersAndNoWarnings() throws Exception {
        assertThat(run("a long enough password\n", "register", "--email", "ann@example.com", "--password-stdin")
                .exitCode()).isZero();
        assertThat(run("a long enough password\n", "login", "--email", "ann@example.com", "--password-stdin")
                .exitCode()).isZero();

        Run upload = run("", "upload", "talk.mp4", "--wait");
        assertThat(upload.exitCode()).as(upload.err()).isZero();
        assertThat(upload.out()).isEqualTo(work.resolve("talk.mp3") + "\n");
        assertThat(upload.err()).contains("Uploading talk.mp4: 2.9 MiB of 2.9 MiB (100%)")
                .contains("Converting talk.mp4: DONE 100%")
                .doesNotContain("WARNING");
        for (String text : List.of(upload.out(), upload.err())) {
            assertThat(text).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f]");
        }
        FakeApi.Job job = api.jobs.values().iterator().next();
        assertThat(Files.readAllBytes(work.resolve("talk.mp3"))).isEqualTo(job.mp3);

        Run status = run("", "status", "--json");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).startsWith("{\"items\":[").contains(job.id);
    }

    @Test
    void pseudoTerminalShowsRedrawnProgressBars() throws Exception {
        assumeThat(Path.of("/usr/bin/script")).as("util-linux script makes the pseudo-terminal").isExecutable();
        String token = api.userWithToken("ann@example.com");
        new ConfigStore(config).save(new SavedLogin(api.url(), "ann@example.com", token, null));

        Process process = builder(List.of("/usr/bin/script", "-q", "-e", "-c",
                "'" + LAUNCHER + "' upload talk.mp4 --wait", "/dev/null"))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String screen = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(screen).isZero();
        // a bar is redrawn with a carriage return that is not the end of a line
        assertThat(screen).containsPattern("\r[^\n]*Uploading talk\\.mp4 +100% [^\n]*KiB")
                .containsPattern("\r[^\n]*Converting talk\\.mp4 +100% [^\n]*DONE")
                .doesNotContain("WARNING");
        assertThat(work.resolve("talk.mp3")).isRegularFile();
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().put("MP3CONV_CONFIG_DIR", config.toString());
        builder.environment().put("MP3CONV_SERVER", api.url());
        return builder;
    }

    private Run run(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = builder(command);
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
