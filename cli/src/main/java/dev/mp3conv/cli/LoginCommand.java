package dev.mp3conv.cli;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.Callable;

import dev.mp3conv.model.Credentials;
import dev.mp3conv.model.TokenResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv login}: gets a token and saves it with the server URL and email.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
         description = "Log in and remember the server, email and token (config.json, mode 0600).")
final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Mixin
    CredentialOptions credentials;

    @Override
    public Integer call() {
        URI server = root.server();
        // logout keeps the email: offer it, so that logging in again is Enter and the password
        String keptEmail = root.store().load().map(SavedLogin::email).orElse(null);
        Credentials asked = credentials.read(root.env(), false, keptEmail);
        TokenResponse token;
        try {
            token = root.anonymousApi().token(asked);
        } catch (ApiException e) {
            if (e.status() == 401) {
                throw new CliException(ExitCode.ERROR, "login failed: " + e.detail().orElse("wrong email or password"), e);
            }
            throw e;
        }
        Instant expiresAt = token.expiresIn() > 0 ? root.env().clock().instant().plusSeconds(token.expiresIn()) : null;
        root.store().save(new SavedLogin(server.toString(), asked.email(), token.accessToken(), expiresAt));
        spec.commandLine().getOut().println("Logged in to " + server + " as " + asked.email() + ".");
        return ExitCode.OK;
    }
}
