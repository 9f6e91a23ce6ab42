package dev.mp3conv.server.auth;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.StartupException;
import dev.mp3conv.server.testing.MemoryMongo;
import dev.mp3conv.server.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A gateway without the auth role verifies tokens with the keys it fetches from {@code AUTH_URL}.
 */
class RemoteJwksIT {
    @TempDir
    Path authDir;
    @TempDir
    Path gatewayDir;

    @Test
    void aGatewayOnlyProcessVerifiesTokensWithTheAuthServicesKeys() {
        try (MemoryMongo mongo = MemoryMongo.start("remote-jwks");
             Mp3convServer auth = AuthHttp.start(authDir, Map.of("mongodb.uri", mongo.uri()));
             Mp3convServer gateway = AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway", "mongodb.uri", mongo.uri(),
                     "auth.url", "http://127.0.0.1:" + auth.port() + "/"))) {
            String token = new AuthHttp(auth).registerAndLogIn("remote@example.com", "long enough password");

            AuthSettings settings = AuthSettings.from(dev.mp3conv.server.Settings.load(Map.of(),
                    Map.of("auth.url", "http://127.0.0.1:" + auth.port() + "/")).get("auth"));
            TokenVerifier verifier = AuthRole.verifier(gateway.backend(), settings, Optional.empty());

            assertThat(verifier.verify(token)).hasValueSatisfying(p -> assertThat(p.email()).isEqualTo("remote@example.com"));
            assertThat(verifier.verify(token.substring(0, token.length() - 2) + "xx")).isEmpty();
        }
    }

    @Test
    void aGatewayWithoutAuthRoleOrAuthUrlRefusesToStart() {
        assertThatThrownBy(() -> AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway")))
                .isInstanceOf(StartupException.class).hasMessageContaining("AUTH_URL");
    }

    @Test
    void aGatewayWithoutAuthRoleOnAnEmbeddedStoreRefusesToStart() {
        // it could not see the auth service's users, so it could not tell a revoked token
        try (Mp3convServer auth = AuthHttp.start(authDir, Map.of())) {
            assertThatThrownBy(() -> AuthHttp.start(gatewayDir, Map.of("app.roles", "gateway",
                    "auth.url", "http://127.0.0.1:" + auth.port())))
                    .isInstanceOf(StartupException.class).hasMessageContaining("MONGODB_URI");
        }
    }

    @Test
    void unknownKidsRefetchAtMostOncePerIntervalAndARotationIsPickedUp() throws Exception {
        ECKey first = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        ECKey second = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        AtomicReference<JWKSet> served = new AtomicReference<>(new JWKSet(first.toPublicJWK()));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = served.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        jwksServer.start();
        try {
            MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
            RemoteJwks jwks = new RemoteJwks(URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort()),
                    clock, Duration.ofSeconds(10));
            JwtVerifier verifier = new JwtVerifier(jwks, "mp3conv", "mp3conv-api",
                    new TokenEpochs(id -> OptionalLong.of(0), Duration.ofSeconds(10), clock), clock);
            jwks.refresh(null);

            assertThat(verifier.verify(token(first, first.getKeyID(), clock.instant()))).isPresent();
            for (int i = 0; i < 50; i++) {
                assertThat(verifier.verify(token(first, UUID.randomUUID().toString(), clock.instant()))).isEmpty();
            }
            assertThat(fetches).hasValue(1);

            served.set(new JWKSet(java.util.List.of(second.toPublicJWK(), first.toPublicJWK())));
            clock.advance(Duration.ofSeconds(11));
            assertThat(verifier.verify(token(second, second.getKeyID(), clock.instant()))).isPresent();
            assertThat(fetches).hasValue(2);
            for (int i = 0; i < 50; i++) {
                assertThat(verifier.verify(token(second, UUID.randomUUID().toString(), clock.instant()))).isEmpty();
            }
            assertThat(verifier.verify(token(first, first.getKeyID(), clock.instant()))).isPresent();
            assertThat(fetches).hasValue(2);
        } finally {
            jwksServer.stop(0);
        }
    }

    @Test
    void anUnreachableAuthServiceKeepsTheKeysAlreadyKnown() throws Exception {
        ECKey key = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        HttpServer jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.createContext("/.well-known/jwks.json", exchange -> {
            byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        jwksServer.start();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        RemoteJwks jwks = new RemoteJwks(URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort()),
                clock, Duration.ofSeconds(10));
        JwtVerifier verifier = new JwtVerifier(jwks, "mp3conv", "mp3conv-api",
                new TokenEpochs(id -> OptionalLong.of(0), Duration.ofSeconds(10), clock), clock);
        jwks.refresh(null);
        jwksServer.stop(0);

        clock.advance(RemoteJwks.MAX_AGE.plusMinutes(1));

        assertThat(verifier.verify(token(key, key.getKeyID(), clock.instant()))).isPresent();
    }

    private static String token(ECKey key, String kid, Instant now) {
        return AuthIT.sign(key, kid, new JWTClaimsSet.Builder().subject("0123456789abcdef01234567").claim("email", "x@example.com")
                .claim("admin", false).claim("epoch", 0L).issuer("mp3conv").audience("mp3conv-api").issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
                .build());
    }
}
