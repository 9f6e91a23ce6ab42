package dev.mp3conv.server;

/** Placeholder. */
public final class Main {
    private Main() {
    }

    /**
     * Entry point.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
    }
}
