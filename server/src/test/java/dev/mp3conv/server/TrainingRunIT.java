package dev.mp3conv.server;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The converter-only training run as the build starts it: a converter on the embedded store served by
 * a child JVM converts one job and the run ends 0 (a run that fails would leave converter-only
 * processes without their cache, silently).
 */
class TrainingRunIT {
    private static CommandLine commandLine(StringWriter err) {
        CommandLine cmd = Main.commandLine(Settings::load, () -> new ByteArrayInputStream(new byte[0]));
        cmd.setErr(new PrintWriter(err, true));
        return cmd;
    }

    @Test
    void theConverterTrainingConvertsAJobAndEndsZero() {
        StringWriter err = new StringWriter();
        assertThat(commandLine(err).execute("aot-training", "--roles", "converter")).as(err.toString()).isZero();
    }

    @Test
    void anUnknownRoleSetIsRefused() {
        StringWriter err = new StringWriter();
        assertThat(commandLine(err).execute("aot-training", "--roles", "gateway")).isNotZero();
        assertThat(err.toString()).contains("--roles is all or converter, not gateway");
    }
}
