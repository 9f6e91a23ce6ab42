package dev.mp3conv.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the packaged {@code target/mp3conv} launcher as a process, either with stdout and stderr
 * redirected to files (not a terminal) or inside a pseudo-terminal made by util-linux {@code script}.
 */
final class Launcher {
    static final Path PATH = Path.of("target", "mp3conv").toAbsolutePath();
    static final Path SCRIPT = Path.of("/usr/bin/script");

    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private final Path work;
    private final Path config;
    private final String server;

    Launcher(Path work, Path config, String server) {
        this.work = work;
        this.config = config;
        this.server = server;
    }

    static void assertBuilt() {
        assertThat(PATH).as("run `./mvnw package` first: the launcher is built in the package phase").isExecutable();
    }

    /** Runs with stdin from {@code stdin} and stdout/stderr to files: no terminal anywhere. */
    Run piped(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PATH.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        Process process = builder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("mp3conv finished").isTrue();
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    /** Starts a run in the background, stdout and stderr to files in the work directory; the caller ends it. */
    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(PATH.toString());
        command.addAll(List.of(args));
        Process process = builder(command).redirectOutput(Files.createTempFile(work, "stdout", ".txt").toFile())
                .redirectError(Files.createTempFile(work, "stderr", ".txt").toFile()).start();
        process.getOutputStream().close();
        return process;
    }

    /** Runs inside a pseudo-terminal; returns everything the terminal showed (stdout and stderr). */
    Run terminal(String commandLine) throws IOException, InterruptedException {
        Process process = builder(List.of(SCRIPT.toString(), "-q", "-e", "-c",
                "stty cols 120; '" + PATH + "' " + commandLine, "/dev/null"))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String screen = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("mp3conv finished").isTrue();
        return new Run(process.exitValue(), screen, "");
    }

    private ProcessBuilder builder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().put("MP3CONV_CONFIG_DIR", config.toString());
        builder.environment().put("MP3CONV_SERVER", server);
        return builder;
    }
}
