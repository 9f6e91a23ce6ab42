package dev.mp3conv.server;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps logging through JVM shutdown. The JDK's own shutdown hook resets
 * the log manager concurrently with ours, so the lines that say what a graceful shutdown did
 * ("stopping consumers", "stopped") would be lost. The launcher selects it with
 * {@code -Djava.util.logging.manager}; {@link Main} resets it once shutdown is complete.
 */
public final class ShutdownSafeLogManager extends LogManager {
    private volatile boolean resetAllowed;

    @Override
    public void reset() {
        if (resetAllowed || !shuttingDown()) {
            super.reset();
        }
    }

    /**
     * Flushes and closes the handlers once the application has finished logging.
     */
    void finalReset() {
        resetAllowed = true;
        super.reset();
    }

    /**
     * Called after shutdown work: lets the reset happen if this log manager is in use.
     */
    static void shutdownComplete() {
        if (LogManager.getLogManager() instanceof ShutdownSafeLogManager manager) {
            manager.finalReset();
        }
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
