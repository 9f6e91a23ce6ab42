package dev.mp3conv.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.mp3conv.server.StartupException;

/**
 * The auth role's keys: the one private key that signs, and the public keys that verify (the signing
 * key's own plus {@code auth.previous-keys}, so tokens signed before a rotation stay valid until they
 * expire). Only this class ever holds the private key.
 */
final class SigningKeys implements VerificationKeys {
    static final String GENERATED_KEY_FILE = "auth/signing-key.jwk";
    private static final System.Logger LOG = System.getLogger(SigningKeys.class.getName());

    private final ECKey signing;
    private final Map<String, ECKey> verification;

    private SigningKeys(ECKey signing, List<ECKey> previous) {
        this.signing = signing;
        Map<String, ECKey> keys = new LinkedHashMap<>();
        keys.put(signing.getKeyID(), publicJwk(signing));
        previous.forEach(k -> keys.putIfAbsent(k.getKeyID(), publicJwk(k)));
        this.verification = Map.copyOf(keys);
    }

    /**
     * Loads the keys the settings name; without {@code auth.signing-key}, one is generated under the data
     * directory (mode 0600) and reused after restarts (with a warning when the store is a shared MongoDB).
     */
    static SigningKeys load(AuthSettings settings, Path dataDir, boolean embedded) {
        ECKey signing;
        if (settings.signingKey().isPresent()) {
            signing = read("auth.signing-key (AUTH_SIGNING_KEY)", () -> EcKeys.privateKey(settings.signingKey().get()));
        } else {
            signing = generatedKey(dataDir.resolve(GENERATED_KEY_FILE));
            if (!embedded) {
                // with a shared MongoDB there may be several auth replicas, and each would invent its own key
                LOG.log(System.Logger.Level.WARNING, "no AUTH_SIGNING_KEY: using a key generated in {0}; with more than "
                        + "one auth replica, give them all the same key through AUTH_SIGNING_KEY",
                        dataDir.resolve(GENERATED_KEY_FILE));
            }
        }
        List<ECKey> previous = settings.previousKeys()
                .map(text -> read("auth.previous-keys (AUTH_PREVIOUS_KEYS)", () -> EcKeys.publicKeys(text)))
                .orElse(List.of());
        LOG.log(System.Logger.Level.INFO, "signing tokens with key {0}; {1} previous key(s) accepted",
                signing.getKeyID(), previous.size());
        return new SigningKeys(signing, previous);
    }

    static SigningKeys of(ECKey signing, List<ECKey> previous) {
        return new SigningKeys(EcKeys.withThumbprint(signing), previous);
    }

    private static <T> T read(String what, java.util.function.Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            throw new StartupException(what + ": " + e.getMessage(), e);
        }
    }

    private static ECKey generatedKey(Path file) {
        try {
            if (Files.exists(file)) {
                return EcKeys.privateKey(Files.readString(file, StandardCharsets.UTF_8));
            }
            ECKey key = EcKeys.withThumbprint(new ECKeyGenerator(Curve.P_256).generate());
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path temp = Files.createTempFile(file.getParent(), "signing-key", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, key.toJSONString(), StandardCharsets.UTF_8);
                // two processes starting at once: the first key written wins, the other reads it
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                return EcKeys.privateKey(Files.readString(file, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(temp);
            }
            LOG.log(System.Logger.Level.INFO, "generated a signing key in {0}", file);
            return key;
        } catch (IOException e) {
            throw new StartupException("cannot keep the signing key in " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StartupException("the signing key in " + file + " is unreadable: " + e.getMessage(), e);
        } catch (JOSEException e) {
            throw new StartupException("cannot generate a signing key: " + e.getMessage(), e);
        }
    }

    private static ECKey publicJwk(ECKey key) {
        return new ECKey.Builder(key.toPublicJWK()).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).build();
    }

    /** The private key, for {@link TokenIssuer}. */
    ECKey signing() {
        return signing;
    }

    /** The JWKS document: public keys only. */
    JWKSet publicJwks() {
        return new JWKSet(new ArrayList<>(verification.values()));
    }

    @Override
    public Optional<ECKey> key(String kid) {
        return Optional.ofNullable(verification.get(kid));
    }
}
