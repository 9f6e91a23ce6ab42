package dev.mp3conv.server.storage;

import java.io.IOException;
import java.io.InputStream;
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
 * leftovers in {@code tmp/} from a crash are removed when the store opens. Resumable writes (tus uploads)
 * grow in {@code uploads/<id>} (with an {@code <id>.json} sidecar), written past the page cache where the file
 * system allows it ({@link DirectWrites}), synced at the end of each append, and are moved into {@code blobs/}
 * when complete; they outlive a restart.
 */
public final class FileSystemBlobStore implements BlobStore {
    /** Bytes of a resumable append after which its early writeback starts (see {@link Writeback}). */
    private static final long WRITEBACK_EVERY = 4L * 1024 * 1024;
    private static final ObjectMapper JSON = Json.mapper();
    /** Ids this store hands out are file-name safe; anything else is unknown (never a path). */
    private static final java.util.regex.Pattern RESUMABLE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Path blobs;
    private final Path tmp;
    private final Path uploads;

    private FileSystemBlobStore(Path root) throws IOException {
        this.blobs = OwnerOnly.createDirectories(root.resolve("blobs"));
        this.tmp = OwnerOnly.createDirectories(root.resolve("tmp"));
        this.uploads = OwnerOnly.createDirectories(root.resolve("uploads"));
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
    public String createResumable(BlobMetadata metadata) throws IOException {
        String id = BlobIds.newId();
        Path meta = OwnerOnly.createFile(uploads.resolve(id + ".json"));
        Files.write(meta, JSON.writeValueAsBytes(Sidecar.of(new BlobInfo(id, 0, metadata, Instant.now()))),
                StandardOpenOption.WRITE);
        try {
            OwnerOnly.createFile(uploads.resolve(id));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(meta);
            throw e;
        }
        return id;
    }

    @Override
    public long append(String id, long offset, InputStream source) throws IOException {
        Path data = resumable(id);
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
            long held = channel.size();
            if (held < offset) {
                throw new IOException("upload " + id + " holds " + held + " bytes, fewer than its offset " + offset);
            }
            // bytes past the committed offset are an append whose commit never happened (a crash, a checksum
            // mismatch): they are not part of the upload
            channel.truncate(offset);
            channel.position(offset);
            Optional<DirectWrites> direct = DirectWrites.open(data, channel, offset);
            long length;
            if (direct.isPresent()) {
                length = offset + WriteBehind.copy(source, direct.get());
            } else {
                Writeback writeback = new Writeback(channel);
                try {
                    length = offset + WriteBehind.copy(source, channel, writeback::wrote);
                } finally {
                    writeback.finish();
                }
            }
            // the size and the partial blocks written through the page cache; the device's cache for the rest
            channel.force(false);
            return length;
        }
    }

    /**
     * For an append on a file system without direct writes ({@link DirectWrites}, which need no writeback):
     * starts the disk writes of an append while its body still arrives: the sync at the end of every tus PATCH
     * waited ~20 ms for 32 MiB of dirty pages (15% of a tus upload in the profile), with the request's socket idle
     * meanwhile. Every {@value #WRITEBACK_EVERY} bytes a sync runs on a virtual thread (at most one at a time),
     * so the final sync, which alone makes the append durable, finds little left to write. A failed early sync
     * is ignored: the final one reports the same failure.
     */
    private static final class Writeback {
        private final FileChannel channel;
        private long unsynced;
        private Thread running;

        Writeback(FileChannel channel) {
            this.channel = channel;
        }

        void wrote(long n) {
            unsynced += n;
            if (unsynced >= WRITEBACK_EVERY && (running == null || !running.isAlive())) {
                unsynced = 0;
                running = Thread.ofVirtual().name("blob-writeback").start(this::sync);
            }
        }

        private void sync() {
            try {
                channel.force(false);
            } catch (IOException | RuntimeException e) {
                // the final sync of the append fails the same way and reports it
            }
        }

        /** Waits for a running early sync: the channel closes after this. */
        void finish() throws java.io.InterruptedIOException {
            if (running == null) {
                return;
            }
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while syncing upload bytes");
            }
        }
    }

    @Override
    public BlobInfo completeResumable(String id, long length) throws IOException {
        Path data = resumable(id);
        if (!Files.exists(data)) {
            // completed before (the caller retries after a failure that came after the move)
            Optional<BlobInfo> done = info(id);
            if (done.isPresent() && done.get().length() == length) {
                return done.get();
            }
            throw new NoSuchFileException("no upload " + id);
        }
        try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
            if (channel.size() < length) {
                throw new IOException("upload " + id + " holds " + channel.size() + " bytes, fewer than " + length);
            }
            channel.truncate(length);
            channel.force(true);
        }
        Sidecar sidecar = JSON.readValue(uploads.resolve(id + ".json").toFile(), Sidecar.class);
        // the data moves last: until then a failed completion leaves the upload where a retry finds it
        BlobInfo info = publish(id, data, length, sidecar.toInfo(id, length).metadata());
        Files.deleteIfExists(uploads.resolve(id + ".json"));
        return info;
    }

    @Override
    public InputStream openGrowing(String id, long offset) throws IOException {
        FileChannel channel = FileChannel.open(resumable(id), StandardOpenOption.READ);
        try {
            // what the file holds now; an append may go on meanwhile, the next call reads the rest
            long held = channel.size();
            channel.position(Math.min(offset, held));
            return BoundedInputStream.builder()
                    .setInputStream(Channels.newInputStream(channel))
                    .setMaxCount(Math.max(0, held - offset))
                    .get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean deleteResumable(String id) {
        if (!RESUMABLE_ID.matcher(id).matches()) {
            return false;
        }
        try {
            boolean existed = Files.deleteIfExists(uploads.resolve(id));
            Files.deleteIfExists(uploads.resolve(id + ".json"));
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete upload " + id, e);
        }
    }

    private Path resumable(String id) throws NoSuchFileException {
        if (!RESUMABLE_ID.matcher(id).matches()) {
            throw new NoSuchFileException("no upload " + id);
        }
        return uploads.resolve(id);
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
        try (FileChannel channel = FileChannel.open(target,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.fileAttributes())) {
            // a read may return 0 mid-stream (seen with multipart parts): only the end of the source ends the copy
            long total = WriteBehind.copy(source, channel, n -> { });
            channel.force(true);
            return total;
        }
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
