package dev.mp3conv.server;

import java.nio.file.Path;
import java.util.Set;

import io.helidon.config.Config;

/**
 * The {@code app} settings (docs/configuration.md), read once at start; defaults in application.yaml.
 *
 * @param roles     the roles this process runs ({@code app.roles}; empty text: all four)
 * @param dataDir   absolute data directory ({@code app.data-dir})
 * @param publicUrl how users reach the API, without a trailing slash ({@code app.public-url}): Location
 *                  headers and email links are this plus an absolute path
 */
public record AppSettings(Set<Role> roles, Path dataDir, String publicUrl) {
    /**
     * Reads the settings.
     *
     * @param app the {@code app} node
     * @return the settings
     * @throws StartupException when a value is missing or unreadable
     */
    public static AppSettings from(Config app) {
        return new AppSettings(Role.parse(Settings.text(app.get("roles"))), dataDir(app),
                withoutTrailingSlashes(Settings.text(app.get("public-url"))));
    }

    /**
     * The data directory alone (commands that open the store run no roles).
     *
     * @param app the {@code app} node
     * @return absolute, normalised path
     */
    public static Path dataDir(Config app) {
        return Path.of(Settings.text(app.get("data-dir"))).toAbsolutePath().normalize();
    }

    /**
     * The one normalisation of a public URL: {@code https://mp3.example/} and {@code https://mp3.example}
     * are the same base.
     *
     * @param url a base URL
     * @return it without trailing slashes
     */
    public static String withoutTrailingSlashes(String url) {
        return url.strip().replaceAll("/+$", "");
    }
}
