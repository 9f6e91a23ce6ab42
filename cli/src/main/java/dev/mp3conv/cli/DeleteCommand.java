package dev.mp3conv.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv delete ID...}: removes jobs with their video and MP3.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete jobs with their video and MP3.")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Job ids.")
    List<String> ids;

    @Override
    public Integer call() {
        ApiClient api = root.api();
        for (String id : ids) {
            api.delete(id);
            spec.commandLine().getOut().println("Deleted " + id);
        }
        return ExitCode.OK;
    }
}
