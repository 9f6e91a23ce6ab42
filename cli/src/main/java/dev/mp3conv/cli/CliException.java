package dev.mp3conv.cli;

/**
 * A failure the user can act on: its message is printed as one line, its exit code returned.
 */
class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static CliException loginNeeded(String why) {
        return new CliException(ExitCode.LOGIN_NEEDED, why + "; run `mp3conv login`");
    }

    int exitCode() {
        return exitCode;
    }
}
