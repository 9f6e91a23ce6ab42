package dev.mp3conv.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import dev.mp3conv.server.auth.AuthRole;
import dev.mp3conv.server.auth.TokenVerifier;

/**
 * One local token verification (what the gateway does per request) against one HTTP {@code POST /validate}
 * round trip to the same in-process server (what the course system's gateway did per request), measured
 * side by side: alternating batches, medians per operation, a bounded number of rounds. Two cases: a token
 * seen for the first time (the ES256 signature is checked; tokens minted by the bench with the server's
 * key) and a token seen before (a client's steady state: one token for up to an hour, remembered by the
 * verifier). {@code /validate} uses the same verifier, so each pair compares like with like.
 *
 * <pre>bench/auth-verify.sh [rounds] [batch]</pre>
 */
public final class AuthVerifyBench {
    private AuthVerifyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int coldBatch = Math.max(1, batch / 4);
        Path dir = Files.createTempDirectory("auth-verify-bench");
        ECKey key = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
        try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), Map.of(
                "auth.signing-key", key.toJSONString(),
                "app.data-dir", dir.toString(), "app.roles", "auth",
                "server.host", "127.0.0.1", "server.port", "0", "admin.host", "127.0.0.1", "admin.port", "0")))) {
            AuthRole auth = server.components().stream().filter(AuthRole.class::isInstance).map(AuthRole.class::cast)
                    .findFirst().orElseThrow();
            TokenVerifier local = AuthRole.verifier(server.backend(),
                    dev.mp3conv.server.auth.AuthSettings.from(Settings.load(Map.of(), Map.of()).get("auth")), Optional.of(auth));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            String token = token(client, base);
            JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
            ECDSASigner signer = new ECDSASigner(key);

            // warm-up: JIT, connection pool
            runLocal(local, fresh(signer, key, claims, batch));
            runHttp(client, base, fresh(signer, key, claims, batch));
            runLocal(local, repeated(token, batch * 5));
            runHttp(client, base, repeated(token, batch * 2));

            double[][] ns = new double[4][rounds];
            for (int r = 0; r < rounds; r++) {
                ns[0][r] = runLocal(local, fresh(signer, key, claims, coldBatch));
                ns[1][r] = runHttp(client, base, fresh(signer, key, claims, coldBatch));
                ns[2][r] = runLocal(local, repeated(token, batch));
                ns[3][r] = runHttp(client, base, repeated(token, batch));
            }
            System.out.printf("auth-verify: %d rounds, alternating; %d new tokens or %d repeats per batch; medians per operation%n",
                    rounds, coldBatch, batch);
            System.out.printf("  new token:      local %9.1f us   HTTP /validate %9.1f us   ratio %6.1fx%n",
                    median(ns[0]) / 1000, median(ns[1]) / 1000, median(ns[1]) / median(ns[0]));
            System.out.printf("  repeated token: local %9.1f us   HTTP /validate %9.1f us   ratio %6.1fx%n",
                    median(ns[2]) / 1000, median(ns[3]) / 1000, median(ns[3]) / median(ns[2]));
            System.out.println("  (goal: local at least 20x cheaper than an HTTP round trip)");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Distinct valid tokens (a new jti each), signed before timing starts. */
    private static String[] fresh(ECDSASigner signer, ECKey key, JWTClaimsSet claims, int n) throws Exception {
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                    new JWTClaimsSet.Builder(claims).jwtID(UUID.randomUUID().toString()).build());
            jwt.sign(signer);
            tokens[i] = jwt.serialize();
        }
        return tokens;
    }

    private static String[] repeated(String token, int n) {
        String[] tokens = new String[n];
        Arrays.fill(tokens, token);
        return tokens;
    }

    private static double runLocal(TokenVerifier verifier, String[] tokens) {
        long start = System.nanoTime();
        int valid = 0;
        for (String token : tokens) {
            if (verifier.verify(token).isPresent()) {
                valid++;
            }
        }
        long elapsed = System.nanoTime() - start;
        if (valid != tokens.length) {
            throw new IllegalStateException("local verification failed " + (tokens.length - valid) + " times");
        }
        return (double) elapsed / tokens.length;
    }

    private static double runHttp(HttpClient client, URI base, String[] tokens) throws Exception {
        HttpRequest[] requests = new HttpRequest[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            requests[i] = HttpRequest.newBuilder(base.resolve("/validate")).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + tokens[i]).POST(HttpRequest.BodyPublishers.noBody()).build();
        }
        long start = System.nanoTime();
        for (HttpRequest request : requests) {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/validate answered " + response.statusCode());
            }
        }
        return (double) (System.nanoTime() - start) / tokens.length;
    }

    private static String token(HttpClient client, URI base) throws Exception {
        byte[] credentials = Json.mapper().writeValueAsBytes(Map.of("email", "bench@example.com", "password", "bench password 1"));
        for (String path : new String[] {"/api/v1/users", "/api/v1/auth/token"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(credentials)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            if (path.endsWith("token")) {
                return Json.mapper().readTree(response.body()).get("access_token").asText();
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
