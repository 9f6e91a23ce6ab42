package dev.mp3conv.server;

import java.io.InputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.mp3conv.server.auth.UserCommand;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mp3conv-server}: without a subcommand, runs the roles that the configuration names until
 * SIGTERM; operator subcommands (such as {@code user}) work against the configured store.
 */
@Command(name = "mp3conv-server",
         mixinStandardHelpOptions = true,
         versionProvider = Main.Version.class,
         description = "Runs the mp3conv backend (roles from APP_ROLES, default all).",
         subcommands = {UserCommand.class, TrainingRun.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    private final Supplier<Config> config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Main(Supplier<Config> config) {
        this.config = config;
    }

    /**
     * Entry point.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line as {@link #main} runs it.
     *
     * @return command line
     */
    public static CommandLine commandLine() {
        return commandLine(Settings::load, () -> System.in);
    }

    /**
     * The command line with an explicit configuration and standard input (tests).
     *
     * @param config configuration, loaded when a command runs
     * @param stdin  standard input (for {@code --password-stdin})
     * @return command line
     */
    public static CommandLine commandLine(Supplier<Config> config, Supplier<InputStream> stdin) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == UserCommand.class
                        ? type.cast(new UserCommand(config, stdin))
                        : CommandLine.defaultFactory().create(type);
            }
        };
        CommandLine cmd = new CommandLine(new Main(config), factory);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof StartupException) {
                commandLine.getErr().println("mp3conv-server: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cmd;
    }

    @Override
    public Integer call() throws InterruptedException {
        // the hook goes in before the start, so a SIGTERM at any moment after "ready" closes the server
        AtomicReference<Mp3convServer> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Mp3convServer server = running.get();
                if (server != null) {
                    server.close();
                }
            } finally {
                ShutdownSafeLogManager.shutdownComplete();
            }
        }, "shutdown"));
        Mp3convServer server = Mp3convServer.start(config.get());
        running.set(server);
        // park here: the process ends on SIGTERM or SIGINT through the hook above, or exits 1 (closing
        // through the same hook) when the public listener stopped for good, so an orchestrator restarts it
        try {
            spec.commandLine().getErr().println("mp3conv-server: " + server.failure().get());
        } catch (java.util.concurrent.ExecutionException e) {
            spec.commandLine().getErr().println("mp3conv-server: " + e.getCause().getMessage());
        }
        return 1;
    }

    /** Reads the version the build wrote into the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mp3conv-server " + (version == null ? "development build" : version)};
        }
    }
}
