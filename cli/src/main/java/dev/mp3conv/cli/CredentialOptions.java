package dev.mp3conv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.mp3conv.model.Credentials;
import picocli.CommandLine.Option;

/**
 * {@code --email} and {@code --password-stdin}, shared by {@code register} and {@code login}:
 * what is not given is asked for on the terminal, the password without echo.
 */
final class CredentialOptions {
    @Option(names = {"-e", "--email"}, paramLabel = "EMAIL", description = "Account email (asked for when missing).")
    String email;

    @Option(names = "--password-stdin",
            description = "Read the password from the first line of standard input instead of asking.")
    boolean passwordStdin;

    Credentials read(Environment env, boolean confirm) {
        String address = email != null ? email : env.prompter().readLine("Email: ")
                .orElseThrow(() -> new CliException(ExitCode.USAGE, "no terminal to ask for the email on; pass --email"));
        address = address.strip();
        if (address.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "the email must not be empty");
        }
        String password = passwordStdin ? passwordFromStdin(env) : passwordFromPrompt(env, confirm);
        return new Credentials(address, password);
    }

    private static String passwordFromStdin(Environment env) {
        try {
            String line = new BufferedReader(new InputStreamReader(env.stdin(), StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new CliException(ExitCode.USAGE, "--password-stdin: no password on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the password from standard input", e);
        }
    }

    private static String passwordFromPrompt(Environment env, boolean confirm) {
        char[] password = env.prompter().readPassword("Password: ").orElseThrow(() -> new CliException(ExitCode.USAGE,
                "no terminal to ask for the password on; pipe it with --password-stdin"));
        if (password.length == 0) {
            throw new CliException(ExitCode.USAGE, "the password must not be empty");
        }
        if (confirm) {
            char[] again = env.prompter().readPassword("Repeat password: ").orElse(new char[0]);
            boolean same = Arrays.equals(password, again);
            Arrays.fill(again, ' ');
            if (!same) {
                throw new CliException(ExitCode.ERROR, "the passwords do not match");
            }
        }
        String result = new String(password);
        Arrays.fill(password, ' ');
        return result;
    }
}
