package dev.mp3conv.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine;

/**
 * Runs {@code mp3conv} in-process through the same factory as {@code main}, with a test
 * environment: its own config and working directories, scripted prompts, captured output.
 */
final class Cli {
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    final Map<String, String> variables = new HashMap<>();
    final Path configDir;
    final Path workingDir;
    String stdin = "";
    boolean terminal;
    /** Answers for prompts in order; null entries mean "no terminal". */
    final Deque<String> answers = new ArrayDeque<>();
    boolean hasTerminalForPrompts = true;
    /** The prompts shown, in order. */
    final java.util.List<String> prompts = new java.util.ArrayList<>();
    Clock clock = Clock.fixed(FakeApi.NOW, ZoneOffset.UTC);

    Cli(Path configDir, Path workingDir) {
        this.configDir = configDir;
        this.workingDir = workingDir;
        variables.put("MP3CONV_CONFIG_DIR", configDir.toString());
    }

    Cli server(String url) {
        variables.put("MP3CONV_SERVER", url);
        return this;
    }

    Cli answers(String... lines) {
        answers.addAll(java.util.List.of(lines));
        return this;
    }

    Environment environment() {
        Prompter prompter = new Prompter() {
            @Override
            public Optional<String> readLine(String prompt) {
                prompts.add(prompt);
                return hasTerminalForPrompts ? Optional.ofNullable(answers.poll()) : Optional.empty();
            }

            @Override
            public Optional<char[]> readPassword(String prompt) {
                return readLine(prompt).map(String::toCharArray);
            }
        };
        return new Environment(Map.copyOf(variables), workingDir,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), prompter, terminal, clock,
                Duration.ofMillis(10), Duration.ZERO);
    }

    Result run(String... args) {
        CommandLine cmd = Mp3conv.commandLine(environment(), args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Saves a login for {@code email} on {@code server} as {@code mp3conv login} would. */
    void loggedIn(FakeApi api, String email) {
        String token = api.userWithToken(email);
        new ConfigStore(configDir).save(new SavedLogin(api.url(), email, token, FakeApi.NOW.plusSeconds(3600)));
    }
}
