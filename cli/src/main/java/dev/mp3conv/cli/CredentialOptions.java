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

    /**
     * The credentials given or asked for.
     *
     * @param env          where to ask
     * @param newAccount   whether they are for a new account: the email and the password's length are
     *                     checked before the password is asked for (again), and the password is confirmed
     * @param keptEmail    the email to offer when asking, e.g. the one {@code logout} kept; may be null
     * @return the credentials
     */
    Credentials read(Environment env, boolean newAccount, String keptEmail) {
        String address = email != null ? email : askEmail(env, keptEmail);
        address = address.strip();
        if (address.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "the email must not be empty");
        }
        if (newAccount) {
            String problem = Credentials.emailProblem(address).orElse(null);
            if (problem != null) {
                throw new CliException(ExitCode.USAGE, problem);
            }
        }
        String password = passwordStdin ? passwordFromStdin(env) : passwordFromPrompt(env, newAccount);
        return new Credentials(address, password);
    }

    private static String askEmail(Environment env, String keptEmail) {
        boolean offer = keptEmail != null && !keptEmail.isBlank();
        String answer = env.prompter().readLine(offer ? "Email [" + keptEmail + "]: " : "Email: ")
                .orElseThrow(() -> new CliException(ExitCode.USAGE, "no terminal to ask for the email on; pass --email"));
        return offer && answer.isBlank() ? keptEmail : answer;
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
            // a password the server will refuse is refused now, not after it was typed twice
            String problem = Credentials.passwordProblem(new String(password)).orElse(null);
            if (problem != null) {
                Arrays.fill(password, ' ');
                throw new CliException(ExitCode.USAGE, problem);
            }
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
