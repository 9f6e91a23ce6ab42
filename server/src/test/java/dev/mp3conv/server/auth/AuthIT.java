package dev.mp3conv.server.auth;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.mp3conv.server.Mp3convServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auth role through real HTTP: registration, tokens, the protected route, throttling, the seed
 * routes, and every kind of forged or stale token.
 */
class AuthIT {
    private static final String ADMIN_EMAIL = "root@example.com";
    private static final String ADMIN_PASSWORD = "admin password 1";
    private static final String ME = "/api/v1/users/me";

    @TempDir
    static Path dir;
    private static ECKey serverKey;
    private static Mp3convServer server;
    private static AuthHttp http;

    @BeforeAll
    static void start() throws Exception {
        serverKey = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
        server = AuthHttp.start(dir, Map.of(
                "auth.signing-key", serverKey.toJSONString(),
                "auth.login.max-failures", "3",
                "auth.login.lockout", "1m",
                "auth.login.client-address-header", "X-Forwarded-For",
                "auth.registration.max-per-address", "1000",
                "auth.admin.email", ADMIN_EMAIL,
                "auth.admin.password", ADMIN_PASSWORD));
        http = new AuthHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String email() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    private static String address() {
        return "10.0." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
    }

    @Test
    void registerThenTokenThenProtectedRoute() {
        String email = email();
        HttpResponse<String> created = http.postJson("/api/v1/users", Map.of("email", "  " + email.toUpperCase() + " ",
                "password", "long enough password"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode user = AuthHttp.json(created);
        assertThat(user.get("email").asText()).isEqualTo(email);
        assertThat(user.get("admin").asBoolean()).isFalse();
        assertThat(user.has("password_hash")).isFalse();
        assertThat(created.body()).doesNotContain("argon2");

        HttpResponse<String> token = http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "long enough password"));
        assertThat(token.statusCode()).isEqualTo(200);
        JsonNode body = AuthHttp.json(token);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3600);

        HttpResponse<String> me = http.getWithToken(ME, body.get("access_token").asText());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(AuthHttp.json(me).get("id").asText()).isEqualTo(user.get("id").asText());
    }

    @Test
    void tokenCarriesTheDocumentedHeaderAndClaims() throws Exception {
        String email = email();
        SignedJWT jwt = SignedJWT.parse(http.registerAndLogIn(email, "long enough password"));

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(serverKey.getKeyID());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).matches("[0-9a-f]{24}");
        assertThat(claims.getStringClaim("email")).isEqualTo(email);
        assertThat(claims.getBooleanClaim("admin")).isFalse();
        assertThat(claims.getIssuer()).isEqualTo("mp3conv");
        assertThat(claims.getAudience()).containsExactly("mp3conv-api");
        assertThat(claims.getLongClaim("epoch")).isZero();
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isEqualTo(3_600_000L);
    }

    @Test
    void registrationRejectsWeakPasswordsBadEmailsAndDuplicates() {
        String email = email();
        HttpResponse<String> weak = http.postJson("/api/v1/users", Map.of("email", email, "password", "short"));
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(weak.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(AuthHttp.json(weak).get("detail").asText()).contains("at least 10 characters");

        HttpResponse<String> badEmail = http.postJson("/api/v1/users", Map.of("email", "no-at-sign", "password", "long enough password"));
        assertThat(badEmail.statusCode()).isEqualTo(400);
        assertThat(AuthHttp.json(badEmail).get("detail").asText()).contains("email");

        assertThat(http.postJson("/api/v1/users", Map.of("email", email, "password", "long enough password")).statusCode())
                .isEqualTo(201);
        HttpResponse<String> duplicate = http.postJson("/api/v1/users",
                Map.of("email", email.toUpperCase(), "password", "another long password"));
        assertThat(duplicate.statusCode()).isEqualTo(409);
    }

    @Test
    void wrongPasswordAndUnknownEmailAnswerTheSame401() {
        String email = email();
        http.registerAndLogIn(email, "long enough password");

        HttpResponse<String> wrong = http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "wrong password!"),
                "X-Forwarded-For", address());
        HttpResponse<String> unknown = http.postJson("/api/v1/auth/token", Map.of("email", email(), "password", "wrong password!"),
                "X-Forwarded-For", address());

        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(AuthHttp.json(wrong).get("detail").asText()).isEqualTo("invalid credentials")
                .isEqualTo(AuthHttp.json(unknown).get("detail").asText());
    }

    @Test
    void repeatedFailuresForOneEmailAreThrottledEvenWithTheRightPassword() {
        String email = email();
        http.registerAndLogIn(email, "long enough password");
        for (int i = 0; i < 3; i++) {
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "wrong password!"),
                    "X-Forwarded-For", address()).statusCode()).isEqualTo(401);
        }

        HttpResponse<String> throttled = http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "long enough password"),
                "X-Forwarded-For", address());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
        assertThat(http.post("/login", "Authorization", AuthHttp.basic(email, "long enough password")).statusCode())
                .isEqualTo(429);
    }

    @Test
    void aSuccessfulLoginResetsTheFailureCount() {
        String email = email();
        String from = address();
        http.registerAndLogIn(email, "long enough password");
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 2; i++) {
                assertThat(http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "wrong password!"),
                        "X-Forwarded-For", from).statusCode()).isEqualTo(401);
            }
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", email, "password", "long enough password"),
                    "X-Forwarded-For", from).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void repeatedFailuresFromOneAddressAreThrottledAcrossEmails() {
        String from = address();
        // per address the limit is 4 x max-failures (3) = 12
        for (int i = 0; i < 12; i++) {
            assertThat(http.postJson("/api/v1/auth/token", Map.of("email", email(), "password", "wrong password!"),
                    "X-Forwarded-For", "203.0.113.9, " + from).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = http.postJson("/api/v1/auth/token", Map.of("email", email(), "password", "wrong password!"),
                "X-Forwarded-For", from);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(http.postJson("/api/v1/auth/token", Map.of("email", email(), "password", "wrong password!"),
                "X-Forwarded-For", address()).statusCode()).isEqualTo(401);
    }

    @Test
    void seedLoginAnswersTheRawJwtAndValidateAnswersItsClaims() throws Exception {
        String email = email();
        http.registerAndLogIn(email, "long enough password");

        HttpResponse<String> login = http.post("/login", "Authorization", AuthHttp.basic(email, "long enough password"));
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        SignedJWT jwt = SignedJWT.parse(login.body());
        assertThat(jwt.getJWTClaimsSet().getStringClaim("email")).isEqualTo(email);

        HttpResponse<String> validate = http.post("/validate", "Authorization", "Bearer " + login.body());
        assertThat(validate.statusCode()).isEqualTo(200);
        JsonNode claims = AuthHttp.json(validate);
        assertThat(claims.get("sub").asText()).isEqualTo(jwt.getJWTClaimsSet().getSubject());
        assertThat(claims.get("email").asText()).isEqualTo(email);
        assertThat(claims.get("username").asText()).isEqualTo(email);
        assertThat(claims.get("admin").asBoolean()).isFalse();
        assertThat(claims.get("exp").asLong()).isGreaterThan(Instant.now().getEpochSecond());
    }

    @Test
    void seedRoutesRejectBadCredentialsAndTokens() {
        String email = email();
        http.registerAndLogIn(email, "long enough password");

        HttpResponse<String> wrong = http.post("/login", "Authorization", AuthHttp.basic(email, "wrong password!"),
                "X-Forwarded-For", address());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(AuthHttp.json(wrong).get("detail").asText()).isEqualTo("invalid credentials");
        assertThat(http.post("/login").statusCode()).isEqualTo(401);
        assertThat(http.post("/login", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);

        assertThat(http.post("/validate").statusCode()).isEqualTo(403);
        assertThat(http.post("/validate", "Authorization", "Bearer not-a-jwt").statusCode()).isEqualTo(403);
        assertThat(http.post("/validate", "Authorization", "Bearer " + expired()).statusCode()).isEqualTo(403);
    }

    @Test
    void jwksServesThePublicSigningKeyOnly() throws Exception {
        HttpResponse<String> response = http.get("/.well-known/jwks.json");

        assertThat(response.statusCode()).isEqualTo(200);
        JWKSet set = JWKSet.parse(response.body());
        assertThat(set.getKeys()).singleElement().satisfies(key -> {
            assertThat(key.getKeyID()).isEqualTo(serverKey.getKeyID());
            assertThat(key.isPrivate()).isFalse();
            assertThat(key.toECKey().toECPublicKey().getW()).isEqualTo(serverKey.toECPublicKey().getW());
        });
        assertThat(response.body()).doesNotContain("\"d\"");
    }

    @Test
    void theConfiguredAdminExistsAndIsAnAdmin() throws Exception {
        String token = http.token(ADMIN_EMAIL, ADMIN_PASSWORD);

        assertThat(SignedJWT.parse(token).getJWTClaimsSet().getBooleanClaim("admin")).isTrue();
        assertThat(AuthHttp.json(http.getWithToken(ME, token)).get("admin").asBoolean()).isTrue();
    }

    @Test
    void everyForgedOrStaleTokenIsRejectedWith401() throws Exception {
        String email = email();
        String valid = http.registerAndLogIn(email, "long enough password");
        assertThat(http.getWithToken(ME, valid).statusCode()).isEqualTo(200);
        String sub = SignedJWT.parse(valid).getJWTClaimsSet().getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        JWTClaimsSet good = claims(sub, email, "mp3conv", now, now.plusSeconds(3600), null);
        String publicPem = EcKeysTest.pem("PUBLIC KEY", serverKey.toECPublicKey().getEncoded());
        String[] parts = valid.split("\\.");

        Map<String, String> forged = new java.util.LinkedHashMap<>();
        forged.put("alg none", new PlainJWT(new PlainHeader.Builder().customParam("kid", serverKey.getKeyID()).build(), good).serialize());
        forged.put("alg none, ES256 signature kept", header("{\"alg\":\"none\",\"kid\":\"" + serverKey.getKeyID() + "\"}")
                + "." + parts[1] + "." + parts[2]);
        forged.put("HS256 with the public key as secret", hs256(publicPem.getBytes(StandardCharsets.UTF_8), good));
        forged.put("HS256 with the public JWK as secret", hs256(serverKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8), good));
        forged.put("expired", expired());
        forged.put("not yet valid", sign(serverKey, serverKey.getKeyID(), new JWTClaimsSet.Builder(good)
                .notBeforeTime(Date.from(now.plusSeconds(600))).build()));
        forged.put("issued in the future", sign(serverKey, serverKey.getKeyID(),
                claims(sub, email, "mp3conv", now.plusSeconds(600), now.plusSeconds(4200), null)));
        forged.put("no expiry", sign(serverKey, serverKey.getKeyID(), claims(sub, email, "mp3conv", now, null, null)));
        forged.put("wrong issuer", sign(serverKey, serverKey.getKeyID(), claims(sub, email, "someone-else", now, now.plusSeconds(3600), null)));
        forged.put("no audience", sign(serverKey, serverKey.getKeyID(), new JWTClaimsSet.Builder(good).audience((String) null).build()));
        forged.put("other audience", sign(serverKey, serverKey.getKeyID(), new JWTClaimsSet.Builder(good).audience("other-api").build()));
        forged.put("no epoch", sign(serverKey, serverKey.getKeyID(), new JWTClaimsSet.Builder(good).claim("epoch", null).build()));
        forged.put("a later epoch", sign(serverKey, serverKey.getKeyID(), new JWTClaimsSet.Builder(good).claim("epoch", 1L).build()));
        forged.put("a user that does not exist", sign(serverKey, serverKey.getKeyID(),
                new JWTClaimsSet.Builder(good).subject("0123456789abcdef01234567").build()));
        forged.put("unknown kid", sign(serverKey, "unknown-kid", good));
        forged.put("no kid", sign(serverKey, null, good));
        forged.put("signature tampered", parts[0] + "." + parts[1] + "." + flipLastChar(parts[2]));
        forged.put("payload tampered (admin)", parts[0] + "." + base64(
                claims(sub, email, "mp3conv", now, now.plusSeconds(3600), true).toString()) + "." + parts[2]);
        ECKey other = new ECKeyGenerator(Curve.P_256).generate();
        forged.put("other key pair, its own kid", sign(other, EcKeys.withThumbprint(other).getKeyID(), good));
        forged.put("other key pair, our kid", sign(other, serverKey.getKeyID(), good));
        forged.put("malformed", "abc.def");
        forged.put("empty", "");

        assertThat(forged).allSatisfy((name, token) -> {
            HttpResponse<String> response = http.get(ME, "Authorization", "Bearer " + token);
            assertThat(response.statusCode()).as(name).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).as(name).contains("application/problem+json");
        });
        assertThat(http.get(ME).statusCode()).as("no token").isEqualTo(401);
        assertThat(http.get(ME, "Authorization", "Basic " + base64("a:b")).statusCode()).as("not bearer").isEqualTo(401);
        // the control: the same forging helpers with the right key and claims do produce a working token
        assertThat(http.getWithToken(ME, sign(serverKey, serverKey.getKeyID(), good)).statusCode()).isEqualTo(200);
    }

    private static String expired() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return sign(serverKey, serverKey.getKeyID(),
                claims("000000000000000000000000", "x@example.com", "mp3conv", now.minusSeconds(4200), now.minusSeconds(600), null));
    }

    private static JWTClaimsSet claims(String sub, String email, String issuer, Instant iat, Instant exp, Boolean admin) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(sub).claim("email", email)
                .claim("admin", admin != null && admin).claim("epoch", 0L).issuer(issuer).audience("mp3conv-api")
                .issueTime(Date.from(iat));
        if (exp != null) {
            builder.expirationTime(Date.from(exp));
        }
        return builder.build();
    }

    static String sign(ECKey key, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hs256(byte[] secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(serverKey.getKeyID()).build(), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private static String header(String json) {
        return base64(json);
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String flipLastChar(String signature) {
        char last = signature.charAt(signature.length() - 5);
        return signature.substring(0, signature.length() - 5) + (last == 'A' ? 'B' : 'A') + signature.substring(signature.length() - 4);
    }
}
