package dev.mp3conv.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./mvnw} stays quiet on the JDK this build runs on (Maven's Guice printed {@code sun.misc.Unsafe}
 * warnings on JDK 24+; {@code .mvn/jvm.config} turns its class definer off), and the same
 * {@code jvm.config} does not stop the wrapper from starting on an older JDK: there the enforcer says
 * what is needed.
 */
class BuildOutputIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path JDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    private static String mvnw(Path javaHome) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(ROOT.resolve("mvnw").toString(), "-B", "-q", "-o", "-N",
                "validate")).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().remove("MAVEN_OPTS");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

    @Test
    void theWrapperPrintsNoUnsafeWarningsOnThisJdk() throws Exception {
        String output = mvnw(Path.of(System.getProperty("java.home")));

        assertThat(output).doesNotContain("sun.misc.Unsafe").doesNotContain("WARNING");
    }

    @Test
    void theWrapperStillStartsOnAnOlderJdk() throws Exception {
        if (!Files.isDirectory(JDK_17)) {
            return; // nothing older installed to try with
        }
        String output = mvnw(JDK_17);

        assertThat(output).doesNotContain("Unrecognized option").doesNotContain("Could not create the Java Virtual Machine")
                .contains("mp3conv needs JDK 21 or newer");
    }
}
