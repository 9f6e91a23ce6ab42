package dev.mp3conv.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import picocli.CommandLine;

/**
 * Turns whatever a command threw into one line on stderr and a documented exit code.
 * The stack trace is printed only with {@code --verbose}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        Mp3conv root = (Mp3conv) cmd.getCommandSpec().root().userObject();
        PrintWriter err = cmd.getErr();
        if (root.verbose()) {
            ex.printStackTrace(err);
        }
        Failure failure = describe(ex, root);
        err.println("mp3conv: " + failure.message());
        err.flush();
        return failure.exitCode();
    }

    private record Failure(int exitCode, String message) {
    }

    private static Failure describe(Exception ex, Mp3conv root) {
        if (ex instanceof CliException cli) {
            return new Failure(cli.exitCode(), cli.getMessage());
        }
        if (ex instanceof ApiException api) {
            return new Failure(ExitCode.ERROR, apiMessage(api));
        }
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpConnectTimeoutException) {
                return unreachable(root, "connection timed out");
            }
            if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException
                    || cause instanceof UnknownHostException) {
                return unreachable(root, cause instanceof ConnectException ? "connection refused" : "unknown host");
            }
            if (cause instanceof HttpTimeoutException) {
                return new Failure(ExitCode.ERROR, "the server at " + root.serverForMessages() + " did not answer in time");
            }
            if (cause instanceof NoSuchFileException missing) {
                return new Failure(ExitCode.ERROR, missing.getFile() + ": no such file or directory");
            }
            if (cause instanceof AccessDeniedException denied) {
                return new Failure(ExitCode.ERROR, denied.getFile() + ": permission denied");
            }
            if (cause instanceof FileNotFoundException missing) {
                return new Failure(ExitCode.ERROR, missing.getMessage());
            }
        }
        if (ex instanceof UncheckedIOException io) {
            return new Failure(ExitCode.ERROR, io.getMessage()
                    + (root.verbose() ? "" : " (run with --verbose for details)"));
        }
        return new Failure(ExitCode.ERROR, ex + (root.verbose() ? "" : " (run with --verbose for details)"));
    }

    private static Failure unreachable(Mp3conv root, String why) {
        return new Failure(ExitCode.ERROR, "cannot reach server at " + root.serverForMessages() + " (" + why
                + "); is it running? Set it with --server or MP3CONV_SERVER");
    }

    private static String apiMessage(ApiException api) {
        return switch (api.status()) {
            case 413 -> api.detail().orElse("the file is larger than the server accepts");
            // the server's detail usually ends in "try again later"; the header says exactly when
            case 429 -> api.retryAfter().map(wait -> "too many attempts; try again in " + wait.toSeconds() + " seconds")
                    .orElseGet(() -> api.detail().orElse("too many attempts; try again later"));
            // e.g. every password-hashing thread busy: the server says how long to wait
            case 503 -> api.retryAfter().map(wait -> api.detail().orElse("the server is unavailable")
                            .replaceFirst("[,;]\\s*try again (shortly|later)$", "")
                            + "; try again in " + wait.toSeconds() + " seconds")
                    .orElseGet(api::getMessage);
            case 404 -> api.detail().orElse("not found");
            default -> api.getMessage();
        };
    }
}
