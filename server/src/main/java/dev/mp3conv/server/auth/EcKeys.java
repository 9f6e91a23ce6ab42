package dev.mp3conv.server.auth;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * Reads EC P-256 keys as operators hand them over: PEM (SEC1 {@code EC PRIVATE KEY}, which Helm's
 * {@code genPrivateKey "ecdsa"} and {@code openssl ecparam -genkey} write; PKCS#8 {@code PRIVATE KEY};
 * X.509 {@code PUBLIC KEY}) or JWK / JWK set JSON. Done with the JDK alone: nimbus reads PEM only with
 * BouncyCastle, which would be 8 MB of jars for two DER wrappers. Every key gets its RFC 7638 thumbprint
 * as {@code kid}, so the same key always has the same id and a new key always a new one.
 */
final class EcKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final ECParameterSpec P256 = Curve.P_256.toECParameterSpec();
    /** AlgorithmIdentifier {id-ecPublicKey, prime256v1}, DER. */
    private static final byte[] EC_P256_ALGORITHM = hex("301306072a8648ce3d020106082a8648ce3d030107");
    private static final byte[] P256_OID = hex("06082a8648ce3d030107");

    private EcKeys() {
    }

    /**
     * The signing key: one private key as PEM or JWK.
     *
     * @param text PEM or JSON
     * @return the key pair as a JWK with its thumbprint as {@code kid}
     * @throws IllegalArgumentException when the text holds no P-256 private key
     */
    static ECKey privateKey(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            ECKey key = asP256(parseJwk(trimmed));
            if (!key.isPrivate()) {
                throw new IllegalArgumentException("the JWK holds no private part (\"d\")");
            }
            return withThumbprint(key);
        }
        List<ECKey> keys = fromPem(trimmed, true);
        if (keys.size() != 1) {
            throw new IllegalArgumentException("expected exactly one EC PRIVATE KEY or PRIVATE KEY PEM block, found " + keys.size());
        }
        return keys.getFirst();
    }

    /**
     * Verification keys: any number of PEM blocks (public or private) or a JWK / JWK set.
     *
     * @param text PEM blocks or JSON
     * @return the public keys, each with its thumbprint as {@code kid}
     * @throws IllegalArgumentException when something in the text is not a P-256 key
     */
    static List<ECKey> publicKeys(String text) {
        String trimmed = text.strip();
        List<ECKey> keys = new ArrayList<>();
        if (trimmed.startsWith("{")) {
            try {
                JWKSet set = trimmed.contains("\"keys\"") ? JWKSet.parse(trimmed) : new JWKSet(JWK.parse(trimmed));
                for (JWK jwk : set.getKeys()) {
                    keys.add(withThumbprint(asP256(jwk).toPublicJWK()));
                }
            } catch (ParseException e) {
                throw new IllegalArgumentException("not a JWK or JWK set: " + e.getMessage(), e);
            }
        } else {
            fromPem(trimmed, false).forEach(k -> keys.add(k.toPublicJWK()));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no PEM block or JWK found");
        }
        return keys;
    }

    private static List<ECKey> fromPem(String text, boolean privateOnly) {
        List<ECKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            keys.add(switch (m.group(1)) {
                case "EC PRIVATE KEY" -> pair(pkcs8(der, sec1ToPkcs8(der)));
                case "PRIVATE KEY" -> pair(pkcs8(der, der));
                case "PUBLIC KEY" -> {
                    if (privateOnly) {
                        throw new IllegalArgumentException("a PUBLIC KEY cannot sign; give the private key");
                    }
                    yield publicOnly(der);
                }
                default -> throw new IllegalArgumentException("unsupported PEM block '" + m.group(1) + "'");
            });
        }
        return keys;
    }

    private static ECPrivateKey pkcs8(byte[] original, byte[] pkcs8) {
        try {
            if (KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)) instanceof ECPrivateKey key
                    && isP256(key.getParams())) {
                return key;
            }
            throw new IllegalArgumentException("not an EC P-256 private key");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a readable EC private key (" + original.length + " bytes of DER)", e);
        }
    }

    private static ECKey publicOnly(byte[] der) {
        try {
            if (KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)) instanceof ECPublicKey key
                    && isP256(key.getParams())) {
                return withThumbprint(new ECKey.Builder(Curve.P_256, key).build());
            }
            throw new IllegalArgumentException("not an EC P-256 public key");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a readable EC public key", e);
        }
    }

    private static ECKey pair(ECPrivateKey privateKey) {
        return withThumbprint(new ECKey.Builder(Curve.P_256, publicKeyOf(privateKey)).privateKey(privateKey).build());
    }

    /**
     * Wraps a SEC1 {@code ECPrivateKey} into PKCS#8 so the JDK's key factory reads it. Only P-256 is
     * accepted: a SEC1 key that names another curve is refused instead of being misread.
     */
    static byte[] sec1ToPkcs8(byte[] sec1) {
        int[] outer = header(sec1, 0, 0x30);
        int pos = outer[0];
        int[] version = header(sec1, pos, 0x02);
        pos = version[0] + version[1];
        int[] secret = header(sec1, pos, 0x04);
        pos = secret[0] + secret[1];
        if (pos < sec1.length && (sec1[pos] & 0xff) == 0xa0) {
            int[] params = header(sec1, pos, 0xa0);
            byte[] oid = Arrays.copyOfRange(sec1, params[0], params[0] + params[1]);
            if (!Arrays.equals(oid, P256_OID)) {
                throw new IllegalArgumentException("the EC PRIVATE KEY is not on curve P-256 (prime256v1)");
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(EC_P256_ALGORITHM);
        body.writeBytes(tlv(0x04, sec1));
        return tlv(0x30, body.toByteArray());
    }

    /** DER header at {@code pos}: returns {content offset, content length}. */
    private static int[] header(byte[] der, int pos, int tag) {
        if (pos + 2 > der.length || (der[pos] & 0xff) != tag) {
            throw new IllegalArgumentException("malformed EC PRIVATE KEY (DER)");
        }
        int length = der[pos + 1] & 0xff;
        int offset = pos + 2;
        if (length > 0x80) {
            int bytes = length - 0x80;
            if (bytes > 2 || offset + bytes > der.length) {
                throw new IllegalArgumentException("malformed EC PRIVATE KEY (DER length)");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[offset++] & 0xff);
            }
        }
        if (length == 0x80 || offset + length > der.length) {
            throw new IllegalArgumentException("malformed EC PRIVATE KEY (DER length)");
        }
        return new int[] {offset, length};
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /**
     * The public point d·G. PKCS#8 keys need not carry their public half, so it is computed (affine
     * double-and-add; it runs once at start, on the operator's own key).
     */
    static ECPublicKey publicKeyOf(ECPrivateKey key) {
        ECPoint q = multiply(P256.getGenerator(), key.getS());
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot derive the public key", e);
        }
    }

    private static ECPoint multiply(ECPoint point, BigInteger scalar) {
        ECPoint result = ECPoint.POINT_INFINITY;
        for (int i = scalar.bitLength() - 1; i >= 0; i--) {
            result = add(result, result);
            if (scalar.testBit(i)) {
                result = add(result, point);
            }
        }
        return result;
    }

    private static ECPoint add(ECPoint a, ECPoint b) {
        if (a.equals(ECPoint.POINT_INFINITY)) {
            return b;
        }
        if (b.equals(ECPoint.POINT_INFINITY)) {
            return a;
        }
        BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
        BigInteger lambda;
        if (a.getAffineX().equals(b.getAffineX())) {
            if (!a.getAffineY().equals(b.getAffineY()) || a.getAffineY().signum() == 0) {
                return ECPoint.POINT_INFINITY;
            }
            BigInteger x2 = a.getAffineX().pow(2).multiply(BigInteger.valueOf(3)).add(P256.getCurve().getA());
            lambda = x2.multiply(a.getAffineY().shiftLeft(1).modInverse(p)).mod(p);
        } else {
            lambda = b.getAffineY().subtract(a.getAffineY())
                    .multiply(b.getAffineX().subtract(a.getAffineX()).modInverse(p)).mod(p);
        }
        BigInteger x = lambda.pow(2).subtract(a.getAffineX()).subtract(b.getAffineX()).mod(p);
        BigInteger y = lambda.multiply(a.getAffineX().subtract(x)).subtract(a.getAffineY()).mod(p);
        return new ECPoint(x, y);
    }

    private static JWK parseJwk(String json) {
        try {
            return JWK.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK: " + e.getMessage(), e);
        }
    }

    private static ECKey asP256(JWK jwk) {
        if (jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            return ec;
        }
        throw new IllegalArgumentException("not an EC P-256 JWK (kty EC, crv P-256)");
    }

    static ECKey withThumbprint(ECKey key) {
        try {
            return new ECKey.Builder(key).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot compute a JWK thumbprint", e);
        }
    }

    private static boolean isP256(ECParameterSpec params) {
        return params.getCurve().equals(P256.getCurve()) && params.getOrder().equals(P256.getOrder());
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }
}
