package dev.mp3conv.cli;

/**
 * The documented exit codes of {@code mp3conv}.
 */
final class ExitCode {
    /** Success. */
    static final int OK = 0;
    /** Any error: server unreachable, server problem, bad file, ... */
    static final int ERROR = 1;
    /** Wrong command-line usage (picocli's default for parameter errors). */
    static final int USAGE = 2;
    /** No valid login for this server: run {@code mp3conv login}. */
    static final int LOGIN_NEEDED = 3;
    /** A job the command waited for ended FAILED. */
    static final int JOB_FAILED = 4;

    private ExitCode() {
    }
}
