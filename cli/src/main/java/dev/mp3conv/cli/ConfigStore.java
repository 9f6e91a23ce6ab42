package dev.mp3conv.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import dev.mp3conv.model.Json;

/**
 * The login file {@code config.json}: a bearer token is a secret, so the directory is 0700
 * and the file 0600, and it is replaced atomically so a crash never leaves half a file.
 */
final class ConfigStore {
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path dir;

    ConfigStore(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve("config.json");
    }

    Optional<SavedLogin> load() {
        try {
            return Optional.of(Json.mapper().readValue(Files.readString(file()), SavedLogin.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JacksonException e) {
            throw new CliException(ExitCode.ERROR, file() + " is not valid JSON; delete it and run `mp3conv login`", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(), e);
        }
    }

    void save(SavedLogin login) {
        try {
            Files.createDirectories(dir);
            if (POSIX) {
                Files.setPosixFilePermissions(dir, DIR_MODE);
            }
            Path temp = Files.createTempFile(dir, "config", ".tmp");
            try {
                if (POSIX) {
                    Files.setPosixFilePermissions(temp, FILE_MODE);
                }
                Files.writeString(temp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(login) + "\n");
                move(temp, file());
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
