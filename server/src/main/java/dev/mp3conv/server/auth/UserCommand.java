package dev.mp3conv.server.auth;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import dev.mp3conv.server.MetadataStore;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.Retention;
import dev.mp3conv.server.jobs.StorageQuota;
import io.helidon.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mp3conv-server user add|list|delete|set-password|quota}: account administration against the configured
 * metadata store (the same configuration as the server; only the store is opened, no web server).
 * Passwords come from a no-echo prompt or, with {@code --password-stdin}, the first line of standard
 * input; never from the command line, where {@code ps} and shell history would show them. With the
 * embedded store, stop the server first: its database file is held open by one process at a time.
 */
@Command(name = "user",
         mixinStandardHelpOptions = true,
         description = "Manages user accounts in the configured store.")
public final class UserCommand implements Callable<Integer> {
    private final Supplier<Config> config;
    private final Supplier<InputStream> stdin;

    @Spec
    CommandSpec spec;

    /**
     * New command.
     *
     * @param config configuration, loaded when a subcommand runs
     * @param stdin  where {@code --password-stdin} reads
     */
    public UserCommand(Supplier<Config> config, Supplier<InputStream> stdin) {
        this.config = config;
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "add", description = "Creates a user.")
    int add(@Parameters(paramLabel = "EMAIL") String email,
            @Option(names = "--admin", description = "make the user an administrator") boolean admin,
            @Option(names = "--password-stdin", description = "read the password from the first line of stdin") boolean fromStdin) {
        String password = password(fromStdin);
        return withAccounts((accounts, users) -> {
            User user = accounts.register(email, password, admin);
            out().println("created " + user.email() + (user.admin() ? " (admin)" : "") + " id " + user.id());
            return 0;
        });
    }

    @Command(name = "list", description = "Lists users.")
    int list() {
        return withAccounts((accounts, users) -> {
            PrintWriter out = out();
            for (User user : users.list()) {
                out.printf("%-24s %-40s %-5s %s%n", user.id(), user.email(), user.admin() ? "admin" : "-", user.createdAt());
            }
            return 0;
        });
    }

    @Command(name = "delete", description = "Deletes a user (their jobs are left for the gateway's owners' clean-up).")
    int delete(@Parameters(paramLabel = "EMAIL") String email) {
        return withAccounts((accounts, users) -> {
            if (!users.delete(Accounts.normalize(email))) {
                return notFound(email);
            }
            out().println("deleted " + Accounts.normalize(email));
            return 0;
        });
    }

    @Command(name = "set-password", description = "Replaces a user's password.")
    int setPassword(@Parameters(paramLabel = "EMAIL") String email,
                    @Option(names = "--password-stdin", description = "read the password from the first line of stdin") boolean fromStdin) {
        String password = password(fromStdin);
        return withAccounts((accounts, users) -> {
            if (accounts.setPassword(email, password).isEmpty()) {
                return notFound(email);
            }
            out().println("password changed for " + Accounts.normalize(email));
            return 0;
        });
    }

    @Command(name = "quota", description = {"Sets a user's storage quota (videos, MP3s, unfinished uploads).",
            "SIZE: bytes with an optional k, m, g, t suffix (binary units), 'unlimited', or 'default' "
                    + "(USER_QUOTA; administrators are unlimited by default)."})
    int quota(@Parameters(paramLabel = "EMAIL") String email, @Parameters(paramLabel = "SIZE") String size) {
        Long bytes = quotaBytes(size);
        Config settings = config.get();
        try (MetadataStore store = MetadataStore.open(settings)) {
            UserRepository users = new UserRepository(store.mongo());
            Optional<User> user = users.findByEmail(Accounts.normalize(email));
            if (user.isEmpty()) {
                return notFound(email);
            }
            StorageQuota quotas = new StorageQuota(store.mongo(),
                    new JobRepository(store.mongo(), Clock.systemUTC()),
                    Settings.size(settings.get("quota.user")), Retention.DEFAULTS.orphans());
            quotas.setQuota(user.get().id(), bytes);
            StorageQuota.Usage usage = quotas.usage(user.get().id(), user.get().admin());
            out().println("quota of " + user.get().email() + ": "
                    + (usage.unlimited() ? "unlimited" : usage.quota() + " bytes")
                    + (bytes == null ? " (the default)" : "") + ", " + usage.used() + " bytes in use");
            return 0;
        }
    }

    private Long quotaBytes(String size) {
        String value = size.strip().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("default")) {
            return null;
        }
        if (value.equals("unlimited")) {
            return StorageQuota.UNLIMITED;
        }
        try {
            long bytes = Settings.parseSize(value);
            if (bytes < 0) {
                throw new NumberFormatException("negative");
            }
            return bytes;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "SIZE must be bytes with an optional k, m, g, t suffix, 'unlimited' or 'default', not '" + size + "'");
        }
    }

    private int notFound(String email) {
        spec.commandLine().getErr().println("mp3conv-server: no user " + Accounts.normalize(email));
        return 1;
    }

    private int withAccounts(AccountsTask task) {
        try (MetadataStore store = MetadataStore.open(config.get())) {
            UserRepository users = new UserRepository(store.mongo());
            // one hash at a time is all a command needs; the threads are daemons, the JVM exits without closing it
            return task.run(new Accounts(users, new PasswordHasher(new HashingPool(1, Duration.ofMinutes(1))),
                    Clock.systemUTC()), users);
        } catch (ProblemException e) {
            spec.commandLine().getErr().println("mp3conv-server: " + e.getMessage());
            return 1;
        }
    }

    private String password(boolean fromStdin) {
        if (fromStdin) {
            try {
                String line = new BufferedReader(new InputStreamReader(stdin.get(), StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no password on standard input");
                }
                return line;
            } catch (IOException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "cannot read standard input: " + e.getMessage());
            }
        }
        Console console = System.console();
        if (console == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "no terminal to prompt for the password: pipe it in with --password-stdin");
        }
        char[] first = console.readPassword("Password: ");
        char[] second = console.readPassword("Repeat password: ");
        try {
            if (first == null || !Arrays.equals(first, second)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "the passwords do not match");
            }
            return new String(first);
        } finally {
            if (first != null) {
                Arrays.fill(first, ' ');
            }
            if (second != null) {
                Arrays.fill(second, ' ');
            }
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @FunctionalInterface
    private interface AccountsTask {
        int run(Accounts accounts, UserRepository users);
    }
}
