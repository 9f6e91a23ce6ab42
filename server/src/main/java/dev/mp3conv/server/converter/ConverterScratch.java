package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

import dev.mp3conv.server.OwnerOnly;

/**
 * The converter's scratch space under {@code <data-dir>/converter-tmp/}: one directory per process
 * ({@code <worker-id>/}), held by an exclusive lock on {@code <worker-id>.lock} for as long as the
 * process lives. It holds the MP3s ffmpeg writes to a file and one directory per job in which ffmpeg
 * sees the job's input, and nothing else: a link to the upload, never the blob store's own folder
 * with other users' blobs beside it.
 *
 * <p>At start, the directories whose lock nobody holds belonged to processes that died (a
 * {@code kill -9} runs no cleanup) and are removed, whatever their age; the kernel drops a dead
 * process's lock, so a live process's directory is never taken, even when several processes share
 * the data directory. Loose files of older versions are removed once an hour old.
 */
final class ConverterScratch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConverterScratch.class.getName());
    private static final String LOCK = ".lock";
    private static final Duration STALE_LOOSE = Duration.ofHours(1);

    private final Path dir;
    private final Path lockFile;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private ConverterScratch(Path dir, Path lockFile, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Removes what dead processes left and creates this process's directory.
     *
     * @param root     {@code <data-dir>/converter-tmp}
     * @param workerId this process's worker id (a file name: host name and random hex)
     * @return the scratch space
     * @throws IOException when the directory cannot be made
     */
    static ConverterScratch open(Path root, String workerId) throws IOException {
        OwnerOnly.createDirectories(root);
        int removed = removeDead(root);
        if (removed > 0) {
            LOG.log(System.Logger.Level.INFO, "removed the scratch files of {0} converter process(es) that died",
                    String.valueOf(removed));
        }
        Path lockFile = root.resolve(workerId + LOCK);
        FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                OwnerOnly.fileAttributes());
        try {
            FileLock lock = channel.lock();
            Path dir = OwnerOnly.createDirectories(root.resolve(workerId));
            return new ConverterScratch(dir, lockFile, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * This process's directory (ffmpeg's MP3 files go here).
     *
     * @return the directory
     */
    Path dir() {
        return dir;
    }

    /**
     * A new empty directory for one job's input, {@code rwx------}.
     *
     * @param jobId the job
     * @return the directory; the caller deletes it with {@link #delete(Path)}
     * @throws IOException when it cannot be made
     */
    Path jobDir(String jobId) throws IOException {
        return Files.createTempDirectory(dir, jobId + "-");
    }

    /**
     * Deletes a directory and what it holds.
     *
     * @param tree the directory
     */
    static void delete(Path tree) {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete {0}: {1}", tree, e.toString());
        }
    }

    /** Deletes this process's directory and gives up the lock. */
    @Override
    public void close() {
        delete(dir);
        try (lockChannel) {
            lock.release();
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot release {0}: {1}", lockFile, e.toString());
        }
    }

    private static int removeDead(Path root) throws IOException {
        int removed = 0;
        Instant looseBefore = Instant.now().minus(STALE_LOOSE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(LOCK)) {
                    removed += removeIfDead(entry, root.resolve(name.substring(0, name.length() - LOCK.length())));
                    continue;
                }
                try {
                    boolean old = Files.getLastModifiedTime(entry).toInstant().isBefore(looseBefore);
                    if (old && !Files.isDirectory(entry)) {
                        Files.deleteIfExists(entry);
                    } else if (old && !Files.exists(root.resolve(name + LOCK))) {
                        // a directory whose lock file is gone: its process died while closing
                        delete(entry);
                    }
                } catch (NoSuchFileException e) {
                    // removed with its lock file above, or by its own process meanwhile
                }
            }
        }
        return removed;
    }

    private static int removeIfDead(Path lockFile, Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return 0;
            }
            try {
                delete(dir);
                Files.deleteIfExists(lockFile);
                return 1;
            } finally {
                lock.release();
            }
        } catch (OverlappingFileLockException e) {
            // held by another converter in this very JVM (tests run several servers in one)
            return 0;
        } catch (NoSuchFileException e) {
            // its process just closed
            return 0;
        } catch (FileSystemException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot check {0}: {1}", lockFile, e.toString());
            return 0;
        }
    }
}
