package dev.mp3conv.server.converter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A child that writes nothing (ffprobe reading a slow input, ffmpeg blocked) has no broken pipe to
 * notice that its JVM was killed: {@link ChildProcesses} ties it to the JVM anyway. A JVM of its own
 * starts {@code sleep} both ways, then gets {@code kill -9}.
 */
class ChildProcessesIT {
    @Test
    void aSilentChildDiesWithItsKilledJvmOnlyWhenStartedThroughChildProcesses() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true).start();
        long tied;
        long plain;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            tied = Long.parseLong(out.readLine().trim());
            plain = Long.parseLong(out.readLine().trim());
        }
        try {
            assertThat(running(tied)).isTrue();
            assertThat(running(plain)).isTrue();
            jvm.destroyForcibly().waitFor();
            await("the tied child gone").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !running(tied));
            assertThat(running(plain)).as("the control, started plainly, outlives the JVM").isTrue();
        } finally {
            ProcessHandle.of(plain).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(tied).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** The JVM to kill: starts one sleep through {@link ChildProcesses} (from a virtual thread, as the converter does) and one plainly. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            Process[] children = new Process[2];
            Thread.ofVirtual().start(() -> {
                try {
                    children[0] = ChildProcesses.start(new ProcessBuilder(List.of("sleep", "120")));
                    children[1] = new ProcessBuilder("sleep", "120").start();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).join();
            System.out.println(children[0].pid());
            System.out.println(children[1].pid());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(2));
        }
    }
}
