package dev.mp3conv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class Mp3convTest {
    @TempDir
    Path config;
    @TempDir
    Path work;

    @Test
    void helpListsTheCommandAndExitsZero() {
        CommandLine cmd = Mp3conv.commandLine();
        StringWriter out = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: mp3conv").contains("--version")
                .contains("register").contains("login").contains("logout").contains("upload").contains("status")
                .contains("download").contains("delete").contains("completion")
                .contains("Exit codes:").contains("3   login needed")
                .doesNotContain("aot-training");
    }

    @Test
    void aNamedCommandAloneBehavesAsInTheWholeTree() {
        String[][] runs = {
            {"status", "--help"}, {"upload", "--help"}, {"download", "-h"}, {"delete", "--help"},
            {"register", "--help"}, {"login", "--help"}, {"logout", "--help"}, {"-v", "--json", "status", "--help"},
            {"--server", "http://127.0.0.1:1", "status", "--no-such-option"}, {"--server=http://127.0.0.1:1", "status", "--limit", "0"},
            {"upload"}, {"status", "a", "b"}, {"delete"},
        };
        for (String[] args : runs) {
            assertThat(Mp3conv.commandNamed(args)).as(String.join(" ", args)).isPresent();
            Environment env = new Cli(config, work).environment();
            assertThat(run(Mp3conv.commandLine(env, args), args)).as(String.join(" ", args))
                    .isEqualTo(run(Mp3conv.commandLine(env), args));
        }
        assertThat(Mp3conv.commandLine(new Cli(config, work).environment(), "--json", "status").getSubcommands())
                .containsOnlyKeys("status");
    }

    @Test
    void whatNamesNoSingleCommandGetsTheWholeTree() {
        String[][] runs = {{}, {"--help"}, {"help", "status"}, {"completion"}, {"--version"}, {"stat"}, {"--", "status"},
            {"-vh"}, {"--server"}, {"--bogus", "status"}};
        for (String[] args : runs) {
            assertThat(Mp3conv.commandNamed(args)).as(String.join(" ", args)).isEmpty();
            assertThat(Mp3conv.commandLine(new Cli(config, work).environment(), args).getSubcommands())
                    .as(String.join(" ", args)).hasSize(10);
        }
    }

    private static String run(CommandLine cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return exit + "\n" + out + "\n" + err;
    }

    @Test
    void unknownOptionIsAUsageError() {
        CommandLine cmd = Mp3conv.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option");
    }

    @Test
    void versionAndMissingCommand() {
        Cli cli = new Cli(config, work);
        Cli.Result version = cli.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("mp3conv ");

        Cli.Result none = cli.run();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("Missing command");
    }

    @Test
    void completionPrintsABashAndZshScript() {
        Cli.Result r = new Cli(config, work).run("completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("_picocli_mp3conv").contains("upload").contains("--bitrate")
                .doesNotContain("aot-training");
    }

    @Test
    void unreachableServerIsOneLineWithoutStackTrace() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Cli cli = new Cli(config, work).server("http://127.0.0.1:" + port);
        cli.stdin = "some password here\n";
        Cli.Result r = cli.run("login", "--email", "a@example.com", "--password-stdin");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: cannot reach server at http://127.0.0.1:" + port
                + " (connection refused); is it running? Set it with --server or MP3CONV_SERVER\n");

        cli.stdin = "some password here\n";
        Cli.Result verbose = cli.run("login", "--email", "a@example.com", "--password-stdin", "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.err()).contains("java.net.ConnectException").contains("\tat ")
                .endsWith("mp3conv: cannot reach server at http://127.0.0.1:" + port
                        + " (connection refused); is it running? Set it with --server or MP3CONV_SERVER\n");
    }

    @Test
    void globalOptionsWorkAfterTheSubcommandToo() throws IOException {
        try (FakeApi api = new FakeApi()) {
            Cli cli = new Cli(config, work);
            cli.loggedIn(api, "ann@example.com");
            FakeApi.Job job = api.addJob("ann@example.com", "a.mp4", 1, 1);
            Cli.Result r = cli.run("status", job.id, "--server", api.url(), "--json");

            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith("{").contains("\"id\":\"" + job.id + "\"");
        }
    }

    @Test
    void serverUrlWithAPathPrefixKeepsIt() throws IOException {
        try (FakeApi api = new FakeApi()) {
            Cli cli = new Cli(config, work).server(api.url() + "/mp3conv/");
            cli.stdin = "some password here\n";
            cli.run("login", "--email", "a@example.com", "--password-stdin");

            assertThat(api.requests).singleElement()
                    .satisfies(q -> assertThat(q.path()).isEqualTo("/mp3conv/api/v1/auth/token"));
        }
    }

    @Test
    void badServerUrlIsAUsageError() {
        Cli.Result r = new Cli(config, work).run("--server", "localhost:8080", "status");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mp3conv: server URL must be http://HOST[:PORT] or https://...: localhost:8080\n");
    }

    @Test
    void corruptConfigIsOneClearLine() throws IOException {
        java.nio.file.Files.writeString(config.resolve("config.json"), "{not json");
        Cli.Result r = new Cli(config, work).server("http://127.0.0.1:1").run("status");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: " + config.resolve("config.json")
                + " is not valid JSON; delete it and run `mp3conv login`\n");
    }
}
