package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code mp3conv} command: turns videos into MP3s through an mp3conv server.
 * Holds the global options and what every subcommand shares: the environment, the
 * server URL, the login store and API clients.
 */
@Command(name = "mp3conv",
         mixinStandardHelpOptions = true,
         versionProvider = Mp3conv.Version.class,
         description = "Turn videos into MP3s with an mp3conv server.",
         // the subcommands are added by commandLine(), see SUBCOMMANDS
         exitCodeListHeading = "%nExit codes:%n",
         exitCodeList = {
             "0:ok",
             "1:error (server unreachable, server problem, bad file, ...)",
             "2:usage error",
             "3:login needed: run `mp3conv login`",
             "4:a job failed"
         },
         footer = {"%nConfig: $XDG_CONFIG_HOME/mp3conv/config.json (override the directory with MP3CONV_CONFIG_DIR)."})
public final class Mp3conv implements Runnable {
    static final String DEFAULT_SERVER = "http://localhost:8080";

    /**
     * The subcommands in the order help lists them. picocli builds each one's model by reflection
     * when it is added; a run that names its command needs only that one (measured: the whole
     * tree was most of picocli's share of {@code mp3conv status}'s start).
     */
    private static final List<String> SUBCOMMANDS =
            List.of("register", "login", "logout", "upload", "status", "download", "delete", "help", "completion",
                    "aot-training");
    /** Commands that need the whole tree: help lists and describes the others, completion covers all. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completion");
    /** The root's own options that take no value, which may stand before the command's name. */
    private static final Set<String> ROOT_FLAGS = Set.of("-v", "--verbose", "--json");

    // A switch, not a map of constructor references: JDK 25.0.3 crashes writing the AOT cache when an
    // archived lambda refers to a picocli class (its Java 5 class files stay out of the cache).
    private static Object newSubcommand(String name) {
        return switch (name) {
            case "register" -> new RegisterCommand();
            case "login" -> new LoginCommand();
            case "logout" -> new LogoutCommand();
            case "upload" -> new UploadCommand();
            case "status" -> new StatusCommand();
            case "download" -> new DownloadCommand();
            case "delete" -> new DeleteCommand();
            case "help" -> new CommandLine.HelpCommand();
            case "completion" -> new AutoComplete.GenerateCompletion();
            case "aot-training" -> new TrainingRun();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "Server URL. Default: env MP3CONV_SERVER, else the server you logged in to, else "
                    + DEFAULT_SERVER + ".")
    String serverOption;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log HTTP requests and show stack traces of errors.")
    boolean verbose;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print data as JSON (the API's own JSON where there is one).")
    boolean json;

    private final Environment env;
    private final ConfigStore store;

    Mp3conv(Environment env) {
        this.env = env;
        this.store = new ConfigStore(env.configDir());
    }

    /**
     * Builds the command line exactly as {@link #main} runs it, for the real process environment.
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        return commandLine(Environment.system());
    }

    /**
     * Builds the whole command line for the given environment.
     */
    static CommandLine commandLine(Environment env) {
        return commandLine(env, Set.copyOf(SUBCOMMANDS));
    }

    /**
     * Builds the command line that runs {@code args}; {@link #main} and the tests both come here.
     * When the arguments name a command (after the root's flags and {@code --server URL}), only that
     * command is built; anything else (help, completion, no command, an unknown word or option) gets
     * the whole tree, so that usage messages and suggestions are the same as ever.
     */
    static CommandLine commandLine(Environment env, String... args) {
        Optional<String> named = commandNamed(args);
        return commandLine(env, named.isPresent() ? Set.of(named.get()) : Set.copyOf(SUBCOMMANDS));
    }

    private static CommandLine commandLine(Environment env, Set<String> names) {
        CommandLine cmd = new CommandLine(new Mp3conv(env));
        for (String name : SUBCOMMANDS) {
            if (names.contains(name)) {
                cmd.addSubcommand(name, newSubcommand(name));
            }
        }
        CommandLine completion = cmd.getSubcommands().get("completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage()
                    .hidden(false)
                    .description("Print a bash/zsh completion script: source <(mp3conv completion)");
        }
        cmd.setExecutionExceptionHandler(new ErrorHandler());
        return cmd;
    }

    /** The command {@code args} run, when it is one that needs no other command. */
    static Optional<String> commandNamed(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--server")) {
                i++;
            } else if (!arg.startsWith("--server=") && !ROOT_FLAGS.contains(arg)) {
                return SUBCOMMANDS.contains(arg) && !WHOLE_TREE.contains(arg) ? Optional.of(arg) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Entry point.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        // stderr belongs to the command: libraries' JUL logging (methanol reports an event stream
        // closed after its last event as a "dropped exception") must not interleave with it
        Logger.getLogger("").setLevel(Level.OFF);
        System.exit(commandLine(Environment.system(), args).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    Environment env() {
        return env;
    }

    ConfigStore store() {
        return store;
    }

    boolean json() {
        return json;
    }

    boolean verbose() {
        return verbose;
    }

    /**
     * The server to talk to: {@code --server}, {@code MP3CONV_SERVER}, the server of the saved
     * login, or {@value #DEFAULT_SERVER}.
     */
    URI server() {
        String url = Optional.ofNullable(serverOption).filter(s -> !s.isBlank())
                .or(() -> env.variable("MP3CONV_SERVER"))
                .or(() -> savedServer())
                .orElse(DEFAULT_SERVER);
        return parseServer(url);
    }

    /** Server URL for error messages; never throws. */
    String serverForMessages() {
        try {
            return server().toString();
        } catch (RuntimeException e) {
            return String.valueOf(serverOption);
        }
    }

    private Optional<String> savedServer() {
        try {
            return store.load().map(SavedLogin::server);
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static URI parseServer(String url) {
        String trimmed = url.strip().replaceAll("/+$", "");
        try {
            URI uri = new URI(trimmed);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(trimmed, "not an http:// or https:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CliException(ExitCode.USAGE, "server URL must be http://HOST[:PORT] or https://...: " + url);
        }
    }

    /** A client for calls that need no login (register, login). */
    ApiClient anonymousApi() {
        return new ApiClient(server(), null, trace());
    }

    /**
     * A client carrying the saved token, checked before any network call: there is one,
     * it was issued by this server, and it has not expired.
     */
    ApiClient api() {
        URI server = server();
        SavedLogin login = store.load().filter(SavedLogin::hasToken)
                .orElseThrow(() -> CliException.loginNeeded("not logged in to " + server));
        if (!parseServer(login.server()).equals(server)) {
            // never send a token to a server other than the one that issued it
            throw CliException.loginNeeded("not logged in to " + server + " (the saved login is for " + login.server() + ")");
        }
        if (login.expiresAt() != null && !env.clock().instant().isBefore(login.expiresAt())) {
            throw CliException.loginNeeded("your login to " + server + " expired");
        }
        return new ApiClient(server, login.accessToken(), trace());
    }

    private PrintWriter trace() {
        return verbose ? spec.commandLine().getErr() : null;
    }

    /** Reads the version the build wrote into the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Mp3conv.class.getPackage().getImplementationVersion();
            return new String[] {"mp3conv " + (version == null ? "development build" : version)};
        }
    }
}
