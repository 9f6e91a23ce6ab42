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
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads an MP3 into {@code TARGET.JOBID.part} and renames it to {@code TARGET} once complete,
 * so an interrupted download never looks like a finished file. A leftover part of the same job
 * is resumed with {@code Range: bytes=N-}; a job's MP3 never changes, and the job id in the
 * name keeps another job's leftover (same video name) from being glued on. The finished file is
 * checked against the SHA-256 the server sends ({@code Repr-Digest}, RFC 9530): a leftover part
 * that was not the MP3's own prefix (overwritten, another file) fails the check, and the download
 * starts over once from the first byte.
 */
final class Downloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** The {@code sha-256} member of a {@code Repr-Digest} field: a structured-field byte sequence. */
    private static final Pattern SHA256_DIGEST = Pattern.compile("(?:^|,)\\s*sha-256=:([A-Za-z0-9+/]{43}=):\\s*(?:,|;|$)");

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
        return fetch(id, target, true);
    }

    private long fetch(String id, Path target, boolean mayResume) {
        Path part = partFile(target, id);
        try {
            if (!mayResume) {
                Files.deleteIfExists(part);
            }
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
            Optional<byte[]> expected = sha256Of(response);
            long size = copy(response.body(), part, start, total, target.getFileName().toString());
            if (total >= 0 && size != total) {
                throw new CliException(ExitCode.ERROR, "download incomplete: got " + size + " of " + total
                        + " bytes; run the same command again to resume");
            }
            if (expected.isPresent() && !Arrays.equals(expected.get(), sha256(part))) {
                Files.delete(part);
                if (start > 0) {
                    err.println("mp3conv: the resumed " + target.getFileName() + " does not match the server's "
                            + "SHA-256 (the leftover part was not its beginning); downloading it again");
                    err.flush();
                    return fetch(id, target, false);
                }
                throw new CliException(ExitCode.ERROR, "the downloaded " + target.getFileName()
                        + " does not match the server's SHA-256; run the same command again");
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

    /** The SHA-256 the server sent with the MP3; empty from a server that sends none. */
    private static Optional<byte[]> sha256Of(HttpResponse<InputStream> response) {
        return response.headers().allValues("Repr-Digest").stream()
                .map(SHA256_DIGEST::matcher)
                .filter(Matcher::find)
                .map(m -> Base64.getDecoder().decode(m.group(1)))
                .findFirst();
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return digest.digest();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
