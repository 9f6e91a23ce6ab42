package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class Mp3convTest {
    @Test
    void helpListsTheCommandAndExitsZero() {
        CommandLine cmd = Mp3conv.commandLine();
        StringWriter out = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: mp3conv").contains("--version");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CommandLine cmd = Mp3conv.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option");
    }
}
