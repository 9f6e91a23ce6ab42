package dev.mp3conv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mp3conv} command: turns videos into MP3s through an mp3conv server.
 */
@Command(name = "mp3conv",
         mixinStandardHelpOptions = true,
         versionProvider = Mp3conv.Version.class,
         description = "Turn videos into MP3s with an mp3conv server.",
         subcommands = CommandLine.HelpCommand.class)
public final class Mp3conv implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Builds the command line exactly as {@link #main} runs it; tests use the same factory.
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Mp3conv());
    }

    /**
     * Entry point.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
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
