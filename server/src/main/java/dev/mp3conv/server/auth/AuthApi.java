package dev.mp3conv.server.auth;

import dev.mp3conv.model.Credentials;
import dev.mp3conv.model.TokenResponse;
import dev.mp3conv.server.http.JsonBodies;
import dev.mp3conv.server.http.ProblemException;
import dev.mp3conv.server.jobs.StorageQuota;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /api/v1/users} (register, throttled per client address), {@code GET /api/v1/users/me},
 * {@code PUT /api/v1/users/me/password}, {@code POST /api/v1/auth/token}, {@code GET /.well-known/jwks.json}.
 */
final class AuthApi implements HttpService {
    private final Accounts accounts;
    private final PasswordLogin login;
    private final UserRepository users;
    private final SigningKeys keys;
    private final AuthFilter filter;
    private final ClientAddress clientAddress;
    private final boolean openRegistration;
    private final LoginThrottle registrations;
    private final StorageQuota quota;

    AuthApi(Accounts accounts, PasswordLogin login, UserRepository users, SigningKeys keys, AuthFilter filter,
            ClientAddress clientAddress, boolean openRegistration, LoginThrottle registrations, StorageQuota quota) {
        this.quota = quota;
        this.accounts = accounts;
        this.login = login;
        this.users = users;
        this.keys = keys;
        this.filter = filter;
        this.clientAddress = clientAddress;
        this.openRegistration = openRegistration;
        this.registrations = registrations;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/api/v1/users", this::register)
                .get("/api/v1/users/me", filter.handler(), this::me)
                .put("/api/v1/users/me/password", filter.handler(), this::changePassword)
                .post("/api/v1/auth/token", this::token)
                .get("/.well-known/jwks.json", this::jwks);
    }

    private void register(ServerRequest req, ServerResponse res) {
        if (!openRegistration && !filter.authenticate(req).admin()) {
            throw ProblemException.forbidden("registration is closed: an administrator creates accounts");
        }
        if (openRegistration) {
            // every attempt counts, so neither hashing nor probing for taken emails can be had in bulk
            String address = "register:" + clientAddress.of(req);
            registrations.lockedFor(address).ifPresent(wait -> {
                throw ProblemException.tooManyRequests("too many registrations from this address; try again later", wait);
            });
            registrations.failed(address);
        }
        Credentials body = JsonBodies.read(req, Credentials.class);
        User user = accounts.register(body.email(), body.password(), false);
        res.header(HeaderNames.LOCATION, "/api/v1/users/" + user.id());
        JsonBodies.write(res, Status.CREATED_201, user.view(quota.usage(user.id(), user.admin())));
    }

    private void me(ServerRequest req, ServerResponse res) {
        User user = users.findById(AuthFilter.principal(req).userId())
                .orElseThrow(() -> ProblemException.unauthorized("the account of this token no longer exists"));
        JsonBodies.write(res, Status.OK_200, user.view(quota.usage(user.id(), user.admin())));
    }

    private void changePassword(ServerRequest req, ServerResponse res) {
        PasswordChange body = JsonBodies.read(req, PasswordChange.class);
        login.changePassword(AuthFilter.principal(req), body, clientAddress.of(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void token(ServerRequest req, ServerResponse res) {
        Credentials body = JsonBodies.read(req, Credentials.class);
        if (body.email() == null || body.password() == null) {
            throw ProblemException.badRequest("email and password are required");
        }
        TokenIssuer.IssuedToken token = login.login(body.email(), body.password(), clientAddress.of(req));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        JsonBodies.write(res, Status.OK_200, TokenResponse.bearer(token.token(), token.expiresIn()));
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        // gateways refetch on an unknown kid anyway; a short cache keeps a rotation visible quickly
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(keys.publicJwks().toString());
    }
}
