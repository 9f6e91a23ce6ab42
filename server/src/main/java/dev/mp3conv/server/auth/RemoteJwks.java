package dev.mp3conv.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * The auth service's public keys, for a gateway that runs without the auth role: fetched from
 * {@code auth.url}/.well-known/jwks.json, cached, and fetched again when a token names an unknown
 * {@code kid} (a rotation) or the copy is older than {@link #MAX_AGE}. Fetches are at most one per
 * {@link #MIN_INTERVAL}, so a flood of tokens with invented {@code kid}s cannot hammer the auth service;
 * a failed fetch keeps the keys already known.
 */
final class RemoteJwks implements VerificationKeys {
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BODY = 256 * 1024;
    private static final System.Logger LOG = System.getLogger(RemoteJwks.class.getName());

    private final URI uri;
    private final HttpClient client;
    private final Clock clock;
    private final Duration minInterval;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Map<String, ECKey> keys = Map.of();
    private volatile Instant fetchedAt = Instant.MIN;
    private Instant lastAttempt = Instant.MIN;

    RemoteJwks(URI authUrl, Clock clock, Duration minInterval) {
        String base = authUrl.toString().replaceAll("/+$", "");
        this.uri = URI.create(base + "/.well-known/jwks.json");
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        this.clock = clock;
        this.minInterval = minInterval;
    }

    @Override
    public Optional<ECKey> key(String kid) {
        Map<String, ECKey> known = keys;
        boolean fresh = fetchedAt.plus(MAX_AGE).isAfter(clock.instant());
        if (known.containsKey(kid) && fresh) {
            return Optional.of(known.get(kid));
        }
        refresh(kid);
        return Optional.ofNullable(keys.get(kid));
    }

    /** Fetches now unless the last attempt was too recent; the first fetch runs at start. */
    void refresh(String wantedKid) {
        fetching.lock();
        try {
            Instant now = clock.instant();
            if (wantedKid != null && keys.containsKey(wantedKid) && fetchedAt.plus(MAX_AGE).isAfter(now)) {
                return; // another thread fetched it while this one waited
            }
            if (lastAttempt.plus(minInterval).isAfter(now)) {
                return;
            }
            lastAttempt = now;
            keys = fetch();
            fetchedAt = now;
        } catch (IOException | ParseException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot fetch the JWKS from {0} (keeping {1} known key(s)): {2}",
                    uri, keys.size(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            fetching.unlock();
        }
    }

    private Map<String, ECKey> fetch() throws IOException, InterruptedException, ParseException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IOException("JWKS larger than " + MAX_BODY + " bytes");
            }
            Map<String, ECKey> fetched = new HashMap<>();
            for (JWK jwk : JWKSet.parse(new String(bytes, StandardCharsets.UTF_8)).getKeys()) {
                if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve()) && ec.getKeyID() != null) {
                    fetched.put(ec.getKeyID(), ec.toPublicJWK());
                }
            }
            LOG.log(System.Logger.Level.DEBUG, "fetched {0} key(s) from {1}", fetched.size(), uri);
            return Map.copyOf(fetched);
        }
    }

    /**
     * Where the keys come from.
     *
     * @return JWKS URI
     */
    URI uri() {
        return uri;
    }
}
