package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();
    /** Commands that need the whole tree: help lists and describes the others, completion covers all. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completion");
    /** The root's own options that take no value, which may stand before the command's name. */
    private static final Set<String> ROOT_FLAGS = Set.of("-v", "--verbose", "--json");

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("register", RegisterCommand::new);
        commands.put("login", LoginCommand::new);
        commands.put("logout", LogoutCommand::new);
        commands.put("upload", UploadCommand::new);
        commands.put("status", StatusCommand::new);
        commands.put("download", DownloadCommand::new);
        commands.put("delete", DeleteCommand::new);
        commands.put("help", CommandLine.HelpCommand::new);
        commands.put("completion", AutoComplete.GenerateCompletion::new);
        return commands;
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
        return commandLine(env, SUBCOMMANDS.keySet());
    }

    /**
     * Builds the command line that runs {@code args}; {@link #main} and the tests both come here.
     * When the arguments name a command (after the root's flags and {@code --server URL}), only that
     * command is built; anything else (help, completion, no command, an unknown word or option) gets
     * the whole tree, so that usage messages and suggestions are the same as ever.
     */
    static CommandLine commandLine(Environment env, String... args) {
        return commandLine(env, commandNamed(args).map(Set::of).orElse(SUBCOMMANDS.keySet()));
    }

    private static CommandLine commandLine(Environment env, Set<String> names) {
        CommandLine cmd = new CommandLine(new Mp3conv(env));
        SUBCOMMANDS.forEach((name, command) -> {
            if (names.contains(name)) {
                cmd.addSubcommand(name, command.get());
            }
        });
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
                return SUBCOMMANDS.containsKey(arg) && !WHOLE_TREE.contains(arg) ? Optional.of(arg) : Optional.empty();
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
