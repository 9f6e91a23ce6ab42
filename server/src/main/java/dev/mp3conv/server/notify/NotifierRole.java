package dev.mp3conv.server.notify;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;

/**
 * The notifier role: consumes {@code mp3}, tells the owner (email, webhook, or a log line).
 */
public final class NotifierRole implements RoleComponent {
    private NotifierRole() {
    }

    /**
     * Creates the role.
     *
     * @param backend shared infrastructure
     * @return the role
     */
    public static NotifierRole create(Backend backend) {
        return new NotifierRole();
    }
}
