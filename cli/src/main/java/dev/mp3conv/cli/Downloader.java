package dev.mp3conv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads an MP3 into {@code TARGET.JOBID.part} and renames it to {@code TARGET} once complete,
 * so an interrupted download never looks like a finished file. A leftover part of the same job
 * is resumed with {@code Range: bytes=N-}; a job's MP3 never changes, and the job id in the
 * name keeps another job's leftover (same video name) from being glued on.
 */
final class Downloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final ApiClient api;
    private final Environment env;
    private final PrintWriter err;

    Downloader(ApiClient api, Environment env, PrintWriter err) {
        this.api = api;
        this.env = env;
        this.err = err;
    }

    static Path partFile(Path target, String jobId) {
        return target.resolveSibling(target.getFileName() + "." + jobId.replaceAll("[^A-Za-z0-9_-]", "_") + ".part");
    }

    /**
     * @return bytes in the finished file
     */
    long download(String id, Path target, boolean force) {
        if (Files.exists(target) && !force) {
            throw new CliException(ExitCode.ERROR, target + " already exists; use --force to overwrite it");
        }
        Path part = partFile(target, id);
        try {
            long offset = Files.isRegularFile(part) ? Files.size(part) : 0;
            HttpResponse<InputStream> response = api.mp3(id, offset);
            if (response.statusCode() == 416) {
                // the leftover is not a prefix the server can continue; start over
                response.body().close();
                Files.delete(part);
                offset = 0;
                response = api.mp3(id, 0);
            }
            long start = 0;
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (response.statusCode() == 206) {
                Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches() || Long.parseLong(range.group(1)) != offset) {
                    response.body().close();
                    throw new CliException(ExitCode.ERROR, "the server resumed at the wrong offset ("
                            + response.headers().firstValue("Content-Range").orElse("no Content-Range")
                            + "); delete " + part + " and try again");
                }
                start = offset;
                total = "*".equals(range.group(3)) ? -1 : Long.parseLong(range.group(3));
            }
            long size = copy(response.body(), part, start, total, target.getFileName().toString());
            if (total >= 0 && size != total) {
                throw new CliException(ExitCode.ERROR, "download incomplete: got " + size + " of " + total
                        + " bytes; run the same command again to resume");
            }
            move(part, target);
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException("download of " + target.getFileName() + " failed", e);
        }
    }

    private long copy(InputStream body, Path part, long start, long total, String label) throws IOException {
        StandardOpenOption mode = start > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        long written = start;
        try (InputStream in = body;
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
             Progress progress = Progress.open(env, err, "Downloading " + label, Progress.Unit.BYTES,
                     Math.max(total, 0), start)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while (true) {
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new CliException(ExitCode.ERROR, "download interrupted after " + Bytes.human(written)
                            + " (" + e.getMessage() + "); run the same command again to resume", e);
                }
                if (n == -1) {
                    break;
                }
                out.write(buffer, 0, n);
                written += n;
                progress.update(written);
            }
        }
        return written;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
