package dev.mp3conv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import dev.mp3conv.model.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class AccountCommandsTest {
    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;
    Cli cli;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        cli = new Cli(config.resolve("mp3conv"), work).server(api.url());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void registerWithPasswordFromStdin() {
        cli.stdin = "a long enough password\n";
        Cli.Result r = cli.run("register", "--email", "ann@example.com", "--password-stdin");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Registered ann@example.com").contains("mp3conv login --email ann@example.com");
        assertThat(api.users).containsEntry("ann@example.com", "a long enough password");
    }

    @Test
    void registerAsksForEmailAndPasswordTwice() throws Exception {
        cli.answers("bob@example.com", "a long enough password", "a long enough password");
        Cli.Result r = cli.run("register", "--json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Json.mapper().readTree(r.out()).get("email").asText()).isEqualTo("bob@example.com");
        assertThat(api.users).containsKey("bob@example.com");
    }

    @Test
    void registerRefusesMismatchedPasswordsWithoutCallingTheServer() {
        cli.answers("bob@example.com", "a long enough password", "another password!!");
        Cli.Result r = cli.run("register");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: the passwords do not match\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void registerChecksTheEmailBeforeAskingForAPassword() {
        cli.answers("bob.example.com", "a long enough password", "a long enough password");
        Cli.Result r = cli.run("register");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mp3conv: email must be an address like name@example.com\n");
        assertThat(cli.prompts).containsExactly("Email: ");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void registerChecksThePasswordLengthBeforeAskingForItAgain() {
        cli.answers("bob@example.com", "short", "short");
        Cli.Result r = cli.run("register");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mp3conv: password must be at least 10 characters long\n");
        assertThat(cli.prompts).containsExactly("Email: ", "Password: ");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void loginAfterLogoutOffersTheKeptEmail() {
        cli.loggedIn(api, "ann@example.com");
        assertThat(cli.run("logout").exitCode()).isZero();
        cli.answers("", "correct horse battery");
        Cli.Result r = cli.run("login");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(cli.prompts).containsExactly("Email [ann@example.com]: ", "Password: ");
        assertThat(r.out()).isEqualTo("Logged in to " + api.url() + " as ann@example.com.\n");

        // another address typed over the offer wins
        api.userWithToken("bob@example.com");
        cli.prompts.clear();
        cli.answers("bob@example.com", "correct horse battery");
        assertThat(cli.run("login").out()).contains("as bob@example.com");
        assertThat(cli.prompts).first().isEqualTo("Email [ann@example.com]: ");
    }

    @Test
    void registerShowsTheServersReasons() {
        cli.stdin = "short\n";
        Cli.Result weak = cli.run("register", "--email", "c@example.com", "--password-stdin");
        assertThat(weak.exitCode()).isEqualTo(1);
        assertThat(weak.err()).isEqualTo("mp3conv: the password must have at least 10 characters\n");

        api.userWithToken("d@example.com");
        cli.stdin = "a long enough password\n";
        Cli.Result dup = cli.run("register", "--email", "d@example.com", "--password-stdin");
        assertThat(dup.exitCode()).isEqualTo(1);
        assertThat(dup.err()).isEqualTo("mp3conv: an account with this email already exists\n");

        api.registrationOpen = false;
        Cli.Result closed = cli.run("register", "--email", "e@example.com", "--password-stdin");
        assertThat(closed.exitCode()).isEqualTo(1);
        assertThat(closed.err()).isEqualTo("mp3conv: registration is closed on this server\n");
    }

    @Test
    void withoutATerminalTheEmailMustBeGiven() {
        cli.hasTerminalForPrompts = false;
        Cli.Result r = cli.run("login");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mp3conv: no terminal to ask for the email on; pass --email\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void withoutATerminalThePasswordMustComeFromStdin() {
        cli.hasTerminalForPrompts = false;
        Cli.Result r = cli.run("login", "--email", "ann@example.com");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--password-stdin");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void loginStoresServerEmailAndTokenPrivately() throws Exception {
        api.userWithToken("ann@example.com");
        cli.stdin = "correct horse battery\n";
        Cli.Result r = cli.run("login", "--email", "ann@example.com", "--password-stdin");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Logged in to " + api.url() + " as ann@example.com.\n");
        Path file = config.resolve("mp3conv/config.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        SavedLogin saved = Json.mapper().readValue(Files.readString(file), SavedLogin.class);
        assertThat(saved.server()).isEqualTo(api.url());
        assertThat(saved.email()).isEqualTo("ann@example.com");
        assertThat(saved.accessToken()).isEqualTo("token-ann@example.com");
        assertThat(saved.expiresAt()).isEqualTo(FakeApi.NOW.plusSeconds(3600));
        assertThat(r.out() + r.err()).doesNotContain("token-ann");
    }

    @Test
    void loginTightensAnExistingConfigDirectory() throws Exception {
        Files.createDirectories(config.resolve("mp3conv"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        api.userWithToken("ann@example.com");
        cli.stdin = "correct horse battery\n";
        assertThat(cli.run("login", "-e", "ann@example.com", "--password-stdin").exitCode()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.resolve("mp3conv"))))
                .isEqualTo("rwx------");
    }

    @Test
    void configGoesUnderXdgConfigHomeWithoutOverride() {
        cli.variables.remove("MP3CONV_CONFIG_DIR");
        cli.variables.put("XDG_CONFIG_HOME", config.toString());
        api.userWithToken("ann@example.com");
        cli.stdin = "correct horse battery\n";
        assertThat(cli.run("login", "-e", "ann@example.com", "--password-stdin").exitCode()).isZero();
        assertThat(config.resolve("mp3conv/config.json")).isRegularFile();
    }

    @Test
    void wrongPasswordIsOneLineAndSavesNothing() {
        api.userWithToken("ann@example.com");
        cli.stdin = "not the password\n";
        Cli.Result r = cli.run("login", "--email", "ann@example.com", "--password-stdin");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: login failed: wrong email or password\n");
        assertThat(config.resolve("mp3conv/config.json")).doesNotExist();
    }

    @Test
    void rateLimitedLoginSaysHowLongToWait() {
        api.rateLimited = true;
        cli.stdin = "whatever it is\n";
        Cli.Result r = cli.run("login", "--email", "ann@example.com", "--password-stdin");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: too many attempts; try again in 30 seconds\n");
    }

    @Test
    void aBusyServerSaysHowLongToWaitOnLoginAndRegister() {
        api.hashingBusy = true;
        cli.stdin = "a long enough password\n";
        Cli.Result login = cli.run("login", "--email", "ann@example.com", "--password-stdin");
        assertThat(login.exitCode()).isEqualTo(1);
        assertThat(login.err()).isEqualTo("mp3conv: the server is busy checking passwords; try again in 2 seconds\n");

        Cli.Result register = cli.run("register", "--email", "ann@example.com", "--password-stdin");
        assertThat(register.exitCode()).isEqualTo(1);
        assertThat(register.err()).isEqualTo("mp3conv: the server is busy checking passwords; try again in 2 seconds\n");
        assertThat(api.users).doesNotContainKey("ann@example.com");
    }

    @Test
    void aThrottledRegistrationSaysHowLongToWait() {
        api.rateLimited = true;
        cli.stdin = "a long enough password\n";
        Cli.Result r = cli.run("register", "--email", "ann@example.com", "--password-stdin");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: too many attempts; try again in 900 seconds\n");
    }

    @Test
    void logoutForgetsTheTokenButKeepsServerAndEmail() throws Exception {
        cli.loggedIn(api, "ann@example.com");
        Cli.Result r = cli.run("logout");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("Logged out of " + api.url() + ".\n");
        SavedLogin saved = new ConfigStore(cli.configDir).load().orElseThrow();
        assertThat(saved.hasToken()).isFalse();
        assertThat(saved.email()).isEqualTo("ann@example.com");
        assertThat(Files.readString(cli.configDir.resolve("config.json"))).doesNotContain("token");

        Cli.Result after = cli.run("status");
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(after.err()).isEqualTo("mp3conv: not logged in to " + api.url() + "; run `mp3conv login`\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void logoutWhenNotLoggedInIsFine() {
        Cli.Result r = cli.run("logout");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("Not logged in.\n");
    }

    @Test
    void tokenTheServerRejectsAsksForLoginWithExitCode3() {
        cli.loggedIn(api, "ann@example.com");
        api.tokens.clear();
        Cli.Result r = cli.run("status");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("mp3conv: not logged in or the login expired; run `mp3conv login`\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tokenPastItsExpiryIsNotEvenSent() {
        cli.loggedIn(api, "ann@example.com");
        cli.clock = java.time.Clock.fixed(FakeApi.NOW.plusSeconds(3601), java.time.ZoneOffset.UTC);
        Cli.Result r = cli.run("status");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("mp3conv: your login to " + api.url() + " expired; run `mp3conv login`\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void tokenIsNeverSentToAnotherServer() throws Exception {
        cli.loggedIn(api, "ann@example.com");
        try (FakeApi other = new FakeApi()) {
            Cli.Result r = cli.run("--server", other.url(), "status");

            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.err()).contains("not logged in to " + other.url()).contains("run `mp3conv login`");
            assertThat(other.requests).isEmpty();
        }
    }

    @Test
    void savedServerIsUsedWhenNoneIsGiven() {
        cli.loggedIn(api, "ann@example.com");
        cli.variables.remove("MP3CONV_SERVER");
        Cli.Result r = cli.run("status");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/jobs")).hasSize(1);
    }
}
