package dev.mp3conv.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the CLI takes from the process it runs in. {@link #system()} is the real one;
 * tests build their own so that config dirs, prompts and terminals are under their control.
 *
 * @param variables        environment variables
 * @param workingDir       directory that relative paths and default downloads resolve against
 * @param stdin            standard input, read by {@code --password-stdin}
 * @param prompter         terminal prompts for email and password
 * @param terminal         whether progress (written to stderr) goes to a terminal: bars when true,
 *                         plain periodic lines otherwise
 * @param clock            clock for ages and progress line intervals
 * @param pollInterval     pause between job polls when Server-Sent Events are not available
 * @param progressInterval least time between two plain progress lines
 */
record Environment(Map<String, String> variables,
                   Path workingDir,
                   InputStream stdin,
                   Prompter prompter,
                   boolean terminal,
                   Clock clock,
                   Duration pollInterval,
                   Duration progressInterval) {
    /**
     * The process's own environment.
     *
     * @return the environment of this JVM
     */
    static Environment system() {
        return new Environment(System.getenv(), Path.of("").toAbsolutePath(), System.in, Prompter.console(),
                stderrIsTerminal(), Clock.systemUTC(), Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
    }

    /**
     * Where the login is stored: {@code MP3CONV_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/mp3conv},
     * else {@code ~/.config/mp3conv}.
     *
     * @return the config directory
     */
    Path configDir() {
        return variable("MP3CONV_CONFIG_DIR").map(Path::of)
                .or(() -> variable("XDG_CONFIG_HOME").map(xdg -> Path.of(xdg, "mp3conv")))
                .orElseGet(() -> Path.of(variable("HOME").orElse(System.getProperty("user.home")), ".config", "mp3conv"));
    }

    // Progress goes to stderr, so that is the stream whose terminal-ness matters. Linux tells
    // through /proc; elsewhere fall back to the JVM's notion (stdin and stdout on a terminal).
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException noSuchMethodBeforeJdk22) {
                return true;
            }
        }
    }
}
