package dev.mp3conv.server;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Loads configuration: the documented environment variables (docs/configuration.md) first, then
 * Helidon's generic environment mapping and system properties, then {@code application.yaml}.
 * Also parses the human forms of durations ({@code 30s}, {@code PT1H}) and sizes ({@code 4g}).
 */
public final class Settings {
    /** Documented environment variables and the keys they set. */
    static final Map<String, String> ENV_KEYS = Map.ofEntries(
            Map.entry("APP_ROLES", "app.roles"),
            Map.entry("MP3CONV_DATA_DIR", "app.data-dir"),
            Map.entry("PUBLIC_URL", "app.public-url"),
            Map.entry("SERVER_HOST", "server.host"),
            Map.entry("SERVER_PORT", "server.port"),
            Map.entry("SERVER_MAX_CONNECTIONS", "server.max-connections"),
            Map.entry("SERVER_HEADER_TIMEOUT", "server.header-timeout"),
            Map.entry("SERVER_BODY_IDLE_TIMEOUT", "server.body-idle-timeout"),
            Map.entry("ADMIN_HOST", "admin.host"),
            Map.entry("ADMIN_PORT", "admin.port"),
            Map.entry("MONGODB_URI", "mongodb.uri"),
            Map.entry("MONGODB_DATABASE", "mongodb.database"),
            Map.entry("AMQP_URI", "amqp.uri"),
            Map.entry("VIDEO_QUEUE", "queue.video"),
            Map.entry("MP3_QUEUE", "queue.mp3"),
            Map.entry("QUEUE_DELIVERY_LIMIT", "queue.delivery-limit"),
            Map.entry("AUTH_URL", "auth.url"),
            Map.entry("AUTH_ISSUER", "auth.issuer"),
            Map.entry("AUTH_TOKEN_TTL", "auth.token-ttl"),
            Map.entry("AUTH_OPEN_REGISTRATION", "auth.open-registration"),
            Map.entry("AUTH_SIGNING_KEY", "auth.signing-key"),
            Map.entry("AUTH_PREVIOUS_KEYS", "auth.previous-keys"),
            Map.entry("AUTH_LOGIN_MAX_FAILURES", "auth.login.max-failures"),
            Map.entry("AUTH_LOGIN_LOCKOUT", "auth.login.lockout"),
            Map.entry("AUTH_CLIENT_ADDRESS_HEADER", "auth.login.client-address-header"),
            Map.entry("AUTH_AUDIENCE", "auth.audience"),
            Map.entry("AUTH_REVOCATION_CACHE_TTL", "auth.revocation.cache-ttl"),
            Map.entry("AUTH_HASHING_THREADS", "auth.hashing.threads"),
            Map.entry("AUTH_HASHING_MAX_WAIT", "auth.hashing.max-wait"),
            Map.entry("AUTH_REGISTRATION_MAX_PER_ADDRESS", "auth.registration.max-per-address"),
            Map.entry("MP3CONV_ADMIN_EMAIL", "auth.admin.email"),
            Map.entry("MP3CONV_ADMIN_PASSWORD", "auth.admin.password"),
            Map.entry("UPLOAD_MAX_SIZE", "gateway.max-upload-size"),
            Map.entry("USER_QUOTA", "quota.user"),
            Map.entry("RETAIN_VIDEOS", "retention.videos"),
            Map.entry("RETAIN_MP3S", "retention.mp3s"),
            Map.entry("SWEEPER_INTERVAL", "sweeper.interval"),
            Map.entry("UPLOAD_MAX_CHUNK", "gateway.uploads.max-chunk"),
            Map.entry("UPLOAD_EXPIRY", "gateway.uploads.expiry"),
            Map.entry("UPLOAD_CORS_ORIGINS", "gateway.uploads.cors-origins"),
            Map.entry("UPLOAD_STREAM", "gateway.uploads.stream"),
            Map.entry("CONVERTER_FFMPEG", "converter.ffmpeg"),
            Map.entry("CONVERTER_CONCURRENCY", "converter.concurrency"),
            Map.entry("CONVERTER_LEASE", "converter.lease"),
            Map.entry("CONVERTER_TIMEOUT", "converter.timeout"),
            Map.entry("CONVERTER_MAX_ATTEMPTS", "converter.max-attempts"),
            Map.entry("CONVERTER_MAX_DURATION", "converter.max-duration"),
            Map.entry("CONVERTER_PER_USER", "converter.per-user"),
            Map.entry("CONVERTER_SEGMENT_THRESHOLD", "converter.segment-threshold"),
            Map.entry("CONVERTER_SEGMENTS", "converter.segments"),
            Map.entry("CONVERTER_STREAM_IDLE", "converter.stream-idle"),
            Map.entry("SMTP_HOST", "smtp.host"),
            Map.entry("SMTP_PORT", "smtp.port"),
            Map.entry("SMTP_USERNAME", "smtp.username"),
            Map.entry("SMTP_PASSWORD", "smtp.password"),
            Map.entry("SMTP_FROM", "smtp.from"),
            Map.entry("SMTP_SECURITY", "smtp.security"),
            Map.entry("SMTP_SSL_TRUST", "smtp.ssl-trust"),
            Map.entry("SMTP_CONNECT_TIMEOUT", "smtp.connect-timeout"),
            Map.entry("SMTP_TIMEOUT", "smtp.timeout"),
            Map.entry("NOTIFY_CONCURRENCY", "notify.concurrency"),
            Map.entry("NOTIFY_RETRY_BACKOFF", "notify.retry-backoff"),
            Map.entry("NOTIFY_MAX_RETRY_BACKOFF", "notify.max-retry-backoff"),
            Map.entry("WEBHOOKS_ALLOW_HTTP", "webhooks.allow-http"),
            Map.entry("WEBHOOKS_ALLOW_PRIVATE", "webhooks.allow-private"),
            Map.entry("WEBHOOKS_SECRET_KEY", "webhooks.secret-key"),
            Map.entry("WEBHOOKS_TIMEOUT", "webhooks.timeout"),
            Map.entry("WEBHOOKS_RETRY_BACKOFF", "webhooks.retry-backoff"));

    private Settings() {
    }

    /**
     * Configuration of this process.
     *
     * @return the configuration
     */
    public static Config load() {
        return load(System.getenv(), Map.of());
    }

    /**
     * Configuration from an explicit environment plus overrides (tests).
     *
     * @param env       environment variables
     * @param overrides keys that win over everything
     * @return the configuration
     */
    public static Config load(Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> fromEnv = new HashMap<>();
        ENV_KEYS.forEach((var, key) -> {
            String value = env.get(var);
            if (value != null && !value.isBlank()) {
                fromEnv.put(key, value);
            }
        });
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(java.util.List.of(
                        ConfigSources.create(overrides, "overrides"),
                        ConfigSources.create(fromEnv, "environment"),
                        ConfigSources.systemProperties(),
                        ConfigSources.classpath("application.yaml")))
                .build();
    }

    /**
     * A duration value: ISO-8601 ({@code PT1H}) or a number with {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}.
     *
     * @param node     config node
     * @param fallback value when absent
     * @return the duration
     */
    public static Duration duration(Config node, Duration fallback) {
        return node.asString().map(v -> parse(node.key().toString(), v, Settings::parseDuration)).orElse(fallback);
    }

    /**
     * A size in bytes: a number with an optional {@code k}, {@code m}, {@code g}, {@code t} suffix (binary units).
     *
     * @param node     config node
     * @param fallback value when absent
     * @return bytes
     */
    public static long size(Config node, long fallback) {
        return node.asString().map(v -> parse(node.key().toString(), v, Settings::parseSize)).orElse(fallback);
    }

    /**
     * A duration whose default is in {@code application.yaml} (the one place defaults live).
     *
     * @param node config node
     * @return the duration
     * @throws StartupException when the key is missing or unreadable
     */
    public static Duration duration(Config node) {
        return parse(node.key().toString(), text(node), Settings::parseDuration);
    }

    /**
     * A size in bytes whose default is in {@code application.yaml}.
     *
     * @param node config node
     * @return bytes
     * @throws StartupException when the key is missing or unreadable
     */
    public static long size(Config node) {
        return parse(node.key().toString(), text(node), Settings::parseSize);
    }

    /**
     * A text whose default is in {@code application.yaml}.
     *
     * @param node config node
     * @return the text
     * @throws StartupException when the key is missing
     */
    public static String text(Config node) {
        return node.asString().orElseThrow(() -> missing(node));
    }

    /**
     * A whole number whose default is in {@code application.yaml}.
     *
     * @param node config node
     * @return the number
     * @throws StartupException when the key is missing
     */
    public static int integer(Config node) {
        return node.asInt().orElseThrow(() -> missing(node));
    }

    /**
     * A flag whose default is in {@code application.yaml}.
     *
     * @param node config node
     * @return the flag
     * @throws StartupException when the key is missing
     */
    public static boolean flag(Config node) {
        return node.asBoolean().orElseThrow(() -> missing(node));
    }

    private static StartupException missing(Config node) {
        return new StartupException("configuration " + node.key() + " is missing (application.yaml sets its default)");
    }

    static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        for (var unit : new String[][] {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}}) {
            if (v.endsWith(unit[0])) {
                String number = v.substring(0, v.length() - unit[0].length()).trim();
                return Duration.ofMillis(Long.parseLong(number) * Long.parseLong(unit[1]));
            }
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /**
     * Parses a size such as {@code 10g}, {@code 512m}, {@code 1024}.
     *
     * @param text the size
     * @return bytes
     * @throws NumberFormatException when it is not one
     * @throws ArithmeticException   when it does not fit a long
     */
    public static long parseSize(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long factor = 1;
        char last = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
        switch (last) {
            case 'k' -> factor = 1L << 10;
            case 'm' -> factor = 1L << 20;
            case 'g' -> factor = 1L << 30;
            case 't' -> factor = 1L << 40;
            default -> {
                return Long.parseLong(v);
            }
        }
        return Math.multiplyExact(Long.parseLong(v.substring(0, v.length() - 1).trim()), factor);
    }

    private static <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new StartupException("configuration " + key + ": cannot read '" + value + "'");
        }
    }
}
