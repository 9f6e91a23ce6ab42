package dev.mp3conv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

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
    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;
    Launcher mp3conv;

    @BeforeEach
    void start() throws IOException {
        Launcher.assertBuilt();
        api = new FakeApi();
        mp3conv = new Launcher(work, config, api.url());
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
        assertThat(mp3conv.piped("a long enough password\n", "register", "--email", "ann@example.com", "--password-stdin")
                .exitCode()).isZero();
        assertThat(mp3conv.piped("a long enough password\n", "login", "--email", "ann@example.com", "--password-stdin")
                .exitCode()).isZero();

        Launcher.Run upload = mp3conv.piped("", "upload", "talk.mp4", "--wait");
        assertThat(upload.exitCode()).as(upload.toString()).isZero();
        assertThat(upload.out()).isEqualTo(work.resolve("talk.mp3") + "\n");
        assertThat(upload.err()).containsPattern("Uploading talk\\.mp4: +\\[#{8}\\] 100%  2\\.9 of 2\\.9 MiB  [0-9.]+ [KMG]iB/s  in ")
                .containsPattern("Converting talk\\.mp4: +\\[#{8}\\] 100%  DONE")
                .doesNotContain("WARNING");
        for (String text : List.of(upload.out(), upload.err())) {
            assertThat(text).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f]");
        }
        FakeApi.Job job = api.jobs.values().iterator().next();
        assertThat(Files.readAllBytes(work.resolve("talk.mp3"))).isEqualTo(job.mp3);

        Launcher.Run status = mp3conv.piped("", "status", "--json");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).startsWith("{\"items\":[").contains(job.id);
    }

    @Test
    void pseudoTerminalShowsRedrawnProgressBars() throws Exception {
        assumeThat(Launcher.SCRIPT).as("util-linux script makes the pseudo-terminal").isExecutable();
        String token = api.userWithToken("ann@example.com");
        new ConfigStore(config).save(new SavedLogin(api.url(), "ann@example.com", token, null));

        Launcher.Run run = mp3conv.terminal("upload talk.mp4 --wait");

        assertThat(run.exitCode()).as(run.out()).isZero();
        // a bar is redrawn with a carriage return that is not the end of a line
        assertThat(run.out()).containsPattern("\r[^\n]*Uploading talk\\.mp4: +\\[#{8}\\] 100% [^\n]*MiB")
                .containsPattern("\r[^\n]*Converting talk\\.mp4: +\\[#{8}\\] 100%  DONE")
                .doesNotContain("WARNING");
        assertThat(work.resolve("talk.mp3")).isRegularFile();
    }
}
