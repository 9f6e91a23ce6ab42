package dev.mp3conv.cli;

import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv logout}: forgets the token, keeps the server URL and email.
 */
@Command(name = "logout", description = "Forget the saved token.", mixinStandardHelpOptions = true)
final class LogoutCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Optional<SavedLogin> saved = root.store().load();
        if (saved.isPresent() && saved.get().hasToken()) {
            root.store().save(saved.get().withoutToken());
            spec.commandLine().getOut().println("Logged out of " + saved.get().server() + ".");
        } else {
            spec.commandLine().getOut().println("Not logged in.");
        }
        return ExitCode.OK;
    }
}
