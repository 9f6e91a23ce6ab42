package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.mp3conv.model.Credentials;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.UserView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv register}: creates an account.
 */
@Command(name = "register", description = "Create an account on the server.", mixinStandardHelpOptions = true)
final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Mixin
    CredentialOptions credentials;

    @Override
    public Integer call() throws Exception {
        Credentials asked = credentials.read(root.env(), true, null);
        UserView user = root.anonymousApi().register(asked);
        PrintWriter out = spec.commandLine().getOut();
        if (root.json()) {
            out.println(Json.mapper().writeValueAsString(user));
        } else {
            out.println("Registered " + user.email() + " on " + root.server() + ".");
            out.println("Next: mp3conv login --email " + user.email());
        }
        return ExitCode.OK;
    }
}
