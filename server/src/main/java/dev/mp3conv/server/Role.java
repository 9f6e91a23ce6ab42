package dev.mp3conv.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The four roles one artifact can play (DESIGN.md §2), chosen with {@code app.roles} / {@code APP_ROLES}.
 */
public enum Role {
    /** Users, passwords, tokens, JWKS. */
    AUTH,
    /** Uploads, jobs API, downloads; publishes {@code video}. */
    GATEWAY,
    /** Consumes {@code video}, runs ffmpeg, publishes {@code mp3}. */
    CONVERTER,
    /** Consumes {@code mp3}, emails the owner. */
    NOTIFIER;

    /**
     * Parses a comma-separated role list.
     *
     * @param list e.g. {@code auth,gateway}; blank means all roles
     * @return the roles
     * @throws StartupException naming the unknown role and the valid ones
     */
    public static Set<Role> parse(String list) {
        if (list == null || list.isBlank()) {
            return EnumSet.allOf(Role.class);
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String part : list.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new StartupException("unknown role '" + name + "' in APP_ROLES (app.roles); expected a comma list of "
                        + EnumSet.allOf(Role.class).stream().map(Role::configName).collect(Collectors.joining(", ")));
            }
        }
        if (roles.isEmpty()) {
            throw new StartupException("APP_ROLES (app.roles) names no role");
        }
        return roles;
    }

    /**
     * The name used in configuration.
     *
     * @return lower-case name
     */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
