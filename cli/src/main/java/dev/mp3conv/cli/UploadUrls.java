package dev.mp3conv.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.mp3conv.model.Json;
import io.tus.java.client.TusURLStore;

/**
 * The uploads this machine started and has not finished, {@code uploads.json} in the config directory:
 * a file's fingerprint (server, path, size, modification time) to its upload URL, so a re-run after a crash
 * or Ctrl-C resumes instead of starting over. Upload URLs are capabilities of a user's account, so the file
 * is 0600 in a 0700 directory, replaced atomically on every change. A file that cannot be read is treated as
 * empty (uploads then start anew) rather than blocking uploads.
 */
final class UploadUrls implements TusURLStore {
    private static final String FILE = "uploads.json";
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path dir;

    UploadUrls(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve(FILE);
    }

    /**
     * The fingerprint of a file for a server: a changed file (size or modification time) is a new upload.
     *
     * @param server server base URL
     * @param file   the video
     * @return the key its upload URL is remembered under
     */
    static String fingerprint(URI server, Path file) {
        try {
            Path real = file.toRealPath();
            return server + " " + real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public synchronized void set(String fingerprint, URL url) {
        Map<String, String> urls = load();
        urls.put(fingerprint, url.toString());
        save(urls);
    }

    @Override
    public synchronized URL get(String fingerprint) {
        String url = load().get(fingerprint);
        if (url == null) {
            return null;
        }
        try {
            return URI.create(url).toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            return null;
        }
    }

    @Override
    public synchronized void remove(String fingerprint) {
        Map<String, String> urls = load();
        if (urls.remove(fingerprint) != null) {
            save(urls);
        }
    }

    private Map<String, String> load() {
        try {
            return new TreeMap<>(Json.mapper().readValue(Files.readString(file()), new TypeReference<Map<String, String>>() {
            }));
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (JacksonException e) {
            return new TreeMap<>();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(), e);
        }
    }

    private void save(Map<String, String> urls) {
        try {
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, DIR_MODE);
            }
            Path temp = Files.createTempFile(dir, "uploads", ".tmp");
            try {
                if (POSIX) {
                    Files.setPosixFilePermissions(temp, FILE_MODE);
                }
                Files.writeString(temp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(urls) + "\n");
                try {
                    Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }
}
