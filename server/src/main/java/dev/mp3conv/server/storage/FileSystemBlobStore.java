package dev.mp3conv.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.OwnerOnly;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Blobs as files under a root folder: {@code blobs/<last two hex digits>/<id>} with a
 * {@code <id>.json} metadata sidecar. A write goes to {@code tmp/} first, is synced, and is
 * renamed into place only once complete, so a failed or interrupted write leaves nothing visible;
 * leftovers in {@code tmp/} from a crash are removed when the store opens.
 */
public final class FileSystemBlobStore implements BlobStore {
    private static final int BUFFER = 256 * 1024;
    private static final ObjectMapper JSON = Json.mapper();

    private final Path blobs;
    private final Path tmp;

    private FileSystemBlobStore(Path root) throws IOException {
        this.blobs = OwnerOnly.createDirectories(root.resolve("blobs"));
        this.tmp = OwnerOnly.createDirectories(root.resolve("tmp"));
        removeLeftovers();
    }

    /**
     * Opens (creating if needed) a store under {@code root}.
     *
     * @param root folder that holds {@code blobs/} and {@code tmp/}
     * @return the store
     * @throws IOException when the folders cannot be created
     */
    public static FileSystemBlobStore open(Path root) throws IOException {
        return new FileSystemBlobStore(root);
    }

    @Override
    public BlobInfo write(BlobMetadata metadata, InputStream source) throws IOException {
        String id = BlobIds.newId();
        Path partData = tmp.resolve(id + ".part");
        try {
            long length = copy(source, partData);
            return publish(id, partData, length, metadata);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partData);
            throw e;
        }
    }

    @Override
    public BlobInfo adopt(BlobMetadata metadata, Path file) throws IOException {
        String id = BlobIds.newId();
        Path partData = tmp.resolve(id + ".part");
        try {
            Files.move(file, partData, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // another file system: copy it like any other source
            return BlobStore.super.adopt(metadata, file);
        }
        try (FileChannel channel = FileChannel.open(partData, StandardOpenOption.WRITE)) {
            // whoever made the file, the blob is the owner's alone
            OwnerOnly.restrict(partData);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partData);
            throw e;
        }
        try {
            return publish(id, partData, Files.size(partData), metadata);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partData);
            throw e;
        }
    }

    /** Writes the sidecar, then renames both into place: the blob becomes visible only when complete. */
    private BlobInfo publish(String id, Path partData, long length, BlobMetadata metadata) throws IOException {
        Path partMeta = tmp.resolve(id + ".json.part");
        try {
            BlobInfo info = new BlobInfo(id, length, metadata, Instant.now());
            OwnerOnly.write(partMeta, JSON.writeValueAsBytes(Sidecar.of(info)));
            Path dir = OwnerOnly.createDirectories(shard(id));
            move(partMeta, dir.resolve(id + ".json"));
            move(partData, dir.resolve(id));
            return info;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partMeta);
            Files.deleteIfExists(shard(id).resolve(id + ".json"));
            throw e;
        }
    }

    @Override
    public Optional<BlobInfo> info(String id) {
        if (!BlobIds.isValid(id)) {
            return Optional.empty();
        }
        Path data = shard(id).resolve(id);
        Path meta = shard(id).resolve(id + ".json");
        try {
            if (!Files.exists(data)) {
                return Optional.empty();
            }
            Sidecar sidecar = JSON.readValue(meta.toFile(), Sidecar.class);
            return Optional.of(sidecar.toInfo(id, Files.size(data)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read blob " + id, e);
        }
    }

    @Override
    public InputStream open(String id, long offset, long length) throws IOException {
        Path data = localFile(id).orElseThrow(() -> new NoSuchFileException("no blob " + id));
        FileChannel channel = FileChannel.open(data, StandardOpenOption.READ);
        try {
            channel.position(offset);
            return BoundedInputStream.builder()
                    .setInputStream(Channels.newInputStream(channel))
                    .setMaxCount(length)
                    .get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean delete(String id) {
        if (!BlobIds.isValid(id)) {
            return false;
        }
        try {
            boolean existed = Files.deleteIfExists(shard(id).resolve(id));
            Files.deleteIfExists(shard(id).resolve(id + ".json"));
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete blob " + id, e);
        }
    }

    @Override
    public Optional<Path> localFile(String id) {
        if (!BlobIds.isValid(id)) {
            return Optional.empty();
        }
        Path data = shard(id).resolve(id);
        return Files.exists(data) ? Optional.of(data) : Optional.empty();
    }

    /**
     * Walks every shard: the file's modification time (when its bytes were last written) picks the
     * candidates, the sidecar's completion time decides. The walk reads every directory entry (but only
     * the sidecars of the page it returns), each sweep: the bounded page bounds the work after it.
     */
    @Override
    public java.util.List<BlobInfo> olderThan(Instant before, String after, int limit) {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(blobs)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        if (name.endsWith(".json") || name.compareTo(after) <= 0) {
                            continue;
                        }
                        // mtime is at most the completion time: a blob with a later mtime is not old enough
                        if (modifiedBefore(file, before)) {
                            ids.add(name);
                            if (ids.size() > limit) {
                                ids.pollLast();
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot list blobs: " + e.getMessage(), e);
        }
        return ids.stream().map(this::info).flatMap(Optional::stream)
                .filter(info -> info.created().isBefore(before)).toList();
    }

    private static boolean modifiedBefore(Path file, Instant before) throws IOException {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(before);
        } catch (NoSuchFileException e) {
            return false; // deleted during the walk
        }
    }

    @Override
    public boolean reachable() {
        return Files.isDirectory(blobs) && Files.isWritable(tmp);
    }

    @Override
    public void close() {
        // nothing held open between calls
    }

    private Path shard(String id) {
        return blobs.resolve(id.substring(id.length() - 2));
    }

    private static long copy(InputStream source, Path target) throws IOException {
        long total = 0;
        try (FileChannel channel = FileChannel.open(target,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.fileAttributes());
             OutputStream out = Channels.newOutputStream(channel)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            // read() may return 0 mid-stream (seen with multipart parts): only -1 ends the copy
            while ((n = source.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                total += n;
            }
            out.flush();
            channel.force(true);
        }
        return total;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void removeLeftovers() throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp, "*.part")) {
            for (Path part : parts) {
                Files.deleteIfExists(part);
            }
        }
    }

    /** The JSON sidecar beside each blob. */
    record Sidecar(String owner, String jobId, String contentType, String filename, Instant created) {
        static Sidecar of(BlobInfo info) {
            BlobMetadata m = info.metadata();
            return new Sidecar(m.owner(), m.jobId(), m.contentType(), m.filename(), info.created());
        }

        BlobInfo toInfo(String id, long length) {
            return new BlobInfo(id, length, new BlobMetadata(owner, jobId, contentType, filename), created);
        }
    }
}
