package dev.mp3conv.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates what lives under the data directory for the process's user alone: directories
 * {@code rwx------}, files {@code rw-------}. The modes are set explicitly after creation, so a
 * permissive umask ({@code 000}) does not widen them; files that a library or ffmpeg creates itself
 * are narrowed with {@link #restrict(Path)}. On a file system without POSIX permissions the modes
 * are left as the file system has them.
 */
public final class OwnerOnly {
    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** {@code rwx------}, for an executable (the extracted ffmpeg). */
    public static final Set<PosixFilePermission> EXECUTABLE = DIRECTORY;

    private OwnerOnly() {
    }

    /**
     * Creates a directory and any missing parents, each {@code rwx------}; existing ones are left as they are
     * (the data directory itself may be a mount the deployment owns).
     *
     * @param dir the directory
     * @return {@code dir}
     * @throws IOException when it cannot be created
     */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, attribute(DIRECTORY));
            set(absolute, DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            // created meanwhile by another thread or process: fine if it is a directory
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
        return dir;
    }

    /**
     * Creates a new, empty file {@code rw-------}.
     *
     * @param file the file; must not exist
     * @return {@code file}
     * @throws IOException when it exists or cannot be created
     */
    public static Path createFile(Path file) throws IOException {
        Files.createFile(file, attribute(FILE));
        set(file, FILE);
        return file;
    }

    /**
     * Writes a new file {@code rw-------} (replacing an existing one's content and mode).
     *
     * @param file  the file
     * @param bytes its content
     * @return {@code file}
     * @throws IOException when it cannot be written
     */
    public static Path write(Path file, byte[] bytes) throws IOException {
        if (!Files.exists(file)) {
            createFile(file);
        } else {
            set(file, FILE);
        }
        return Files.write(file, bytes);
    }

    /**
     * Narrows a file that something else created to {@code rw-------}.
     *
     * @param file the file
     * @throws IOException when its mode cannot be changed
     */
    public static void restrict(Path file) throws IOException {
        set(file, FILE);
    }

    /**
     * The attribute to pass to {@code Files.create…} or {@code FileChannel.open} for a file
     * (the umask may narrow it, never widen it).
     *
     * @return {@code rw-------} as a file attribute
     */
    public static FileAttribute<?>[] fileAttributes() {
        return attribute(FILE);
    }

    private static FileAttribute<?>[] attribute(Set<PosixFilePermission> permissions) {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }

    private static void set(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static boolean posix() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
