package dev.mp3conv.server.auth;

import java.net.URI;
import java.util.Optional;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.StartupException;
import io.helidon.webserver.http.HttpRouting;

/**
 * The auth role: users, argon2id passwords, ES256 tokens, JWKS, seed {@code /login} and {@code /validate}.
 */
public final class AuthRole implements RoleComponent {
    private static final System.Logger LOG = System.getLogger(AuthRole.class.getName());

    private final JwtVerifier verifier;
    private final AuthApi api;
    private final SeedAuthRoutes seed;
    private final HashingPool hashing;

    private AuthRole(JwtVerifier verifier, AuthApi api, SeedAuthRoutes seed, HashingPool hashing) {
        this.verifier = verifier;
        this.api = api;
        this.seed = seed;
        this.hashing = hashing;
    }

    /**
     * Creates the role: loads (or, in the embedded stack, generates) the signing key and creates the
     * configured first admin if absent.
     *
     * @param backend  shared infrastructure
     * @param settings the {@code auth} settings
     * @return the role
     * @throws StartupException when a key cannot be read or the first admin cannot be created
     */
    public static AuthRole create(Backend backend, AuthSettings settings) {
        SigningKeys keys = SigningKeys.load(settings, backend.dataDir(), backend.embedded());
        UserRepository users = new UserRepository(backend.mongo());
        if (settings.hashingThreads() < 0 || settings.registrationMaxPerAddress() < 1) {
            throw new StartupException("auth.hashing.threads must be >= 0 and auth.registration.max-per-address >= 1");
        }
        HashingPool hashing = new HashingPool(settings.hashingThreads(), settings.hashingMaxWait());
        PasswordHasher hasher = new PasswordHasher(hashing);
        Accounts accounts = new Accounts(users, hasher, backend.clock());
        bootstrapAdmin(settings, accounts);
        TokenIssuer issuer = new TokenIssuer(keys, settings.issuer(), settings.audience(), settings.tokenTtl(),
                backend.clock());
        TokenEpochs epochs = epochs(users, settings, backend);
        JwtVerifier verifier = new JwtVerifier(keys, settings.issuer(), settings.audience(), epochs, backend.clock());
        PasswordLogin login = new PasswordLogin(users, accounts, hasher, issuer, epochs,
                new LoginThrottle(settings.maxLoginFailures(), settings.lockout(), backend.clock()),
                new LoginThrottle(settings.maxLoginFailures() * 4, settings.lockout(), backend.clock()));
        ClientAddress clientAddress = new ClientAddress(settings.clientAddressHeader());
        AuthApi api = new AuthApi(accounts, login, users, keys, new AuthFilter(verifier), clientAddress,
                settings.openRegistration(),
                new LoginThrottle(settings.registrationMaxPerAddress(), LoginThrottle.WINDOW, backend.clock()),
                backend.quota());
        return new AuthRole(verifier, api, new SeedAuthRoutes(login, verifier, clientAddress), hashing);
    }

    private static TokenEpochs epochs(UserRepository users, AuthSettings settings, Backend backend) {
        return new TokenEpochs(users::tokenEpoch, settings.revocationCacheTtl(), backend.clock());
    }

    private static void bootstrapAdmin(AuthSettings settings, Accounts accounts) {
        if (settings.adminEmail().isEmpty() || settings.adminPassword().isEmpty()) {
            if (settings.adminEmail().isPresent() != settings.adminPassword().isPresent()) {
                LOG.log(System.Logger.Level.WARNING, "MP3CONV_ADMIN_EMAIL and MP3CONV_ADMIN_PASSWORD must both be set; "
                        + "no admin created");
            }
            return;
        }
        try {
            accounts.bootstrapAdmin(settings.adminEmail().get(), settings.adminPassword().get())
                    .ifPresent(u -> LOG.log(System.Logger.Level.INFO, "created the first admin {0}", u.email()));
        } catch (dev.mp3conv.server.http.ProblemException e) {
            throw new StartupException("MP3CONV_ADMIN_EMAIL / MP3CONV_ADMIN_PASSWORD: " + e.getMessage(), e);
        }
    }

    /**
     * The token verifier for this process: in-process keys when the auth role runs here,
     * otherwise the JWKS fetched from {@code auth.url}.
     *
     * @param backend  shared infrastructure
     * @param settings the {@code auth} settings
     * @param local    the auth role of this process, if any
     * @return the verifier
     * @throws StartupException when neither the auth role nor {@code auth.url} is there
     */
    public static TokenVerifier verifier(Backend backend, AuthSettings settings, Optional<AuthRole> local) {
        if (local.isPresent()) {
            return local.get().verifier;
        }
        URI url = settings.url().map(AuthRole::authUrl).orElseThrow(() -> new StartupException(
                "this process runs no auth role: set AUTH_URL (auth.url) to the auth service so tokens can be verified"));
        if (backend.embedded()) {
            // revocation reads the auth service's users collection: an embedded store of this process has none
            throw new StartupException("this process runs no auth role: set MONGODB_URI to the store the auth service "
                    + "uses, so revoked tokens can be recognised");
        }
        RemoteJwks jwks = new RemoteJwks(url, backend.clock(), RemoteJwks.MIN_INTERVAL);
        jwks.refresh(null);
        LOG.log(System.Logger.Level.INFO, "verifying tokens with the keys at {0}", jwks.uri());
        // revocation: the users collection is read through the shared MongoDB this process already uses
        TokenEpochs epochs = epochs(new UserRepository(backend.mongo()), settings, backend);
        return new JwtVerifier(jwks, settings.issuer(), settings.audience(), epochs, backend.clock());
    }

    private static URI authUrl(String text) {
        try {
            URI uri = URI.create(text.strip());
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new StartupException("AUTH_URL (auth.url) '" + text + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void routing(HttpRouting.Builder routing) {
        routing.register(api).register(seed);
    }

    /** The password hashing pool (tests count the hashes a request cost). */
    HashingPool hashing() {
        return hashing;
    }

    @Override
    public void close() {
        hashing.close();
    }
}
