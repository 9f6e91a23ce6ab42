package dev.mp3conv.cli;

import java.io.Console;
import java.util.Optional;

/**
 * Asks the user for input on the terminal; empty when there is no terminal to ask on.
 */
interface Prompter {
    /**
     * Reads one line, echoed.
     *
     * @param prompt text shown before the cursor
     * @return the line, or empty when no terminal is attached
     */
    Optional<String> readLine(String prompt);

    /**
     * Reads a secret without echo.
     *
     * @param prompt text shown before the cursor
     * @return the secret, or empty when no terminal is attached
     */
    Optional<char[]> readPassword(String prompt);

    /**
     * The prompter of the JVM's console, if any.
     *
     * @return a prompter backed by {@link System#console()}
     */
    static Prompter console() {
        return new Prompter() {
            @Override
            public Optional<String> readLine(String prompt) {
                Console console = System.console();
                return console == null ? Optional.empty() : Optional.ofNullable(console.readLine("%s", prompt));
            }

            @Override
            public Optional<char[]> readPassword(String prompt) {
                Console console = System.console();
                return console == null ? Optional.empty() : Optional.ofNullable(console.readPassword("%s", prompt));
            }
        };
    }
}
