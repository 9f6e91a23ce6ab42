package dev.mp3conv.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Stores videos and MP3s. Writes stream from an {@link InputStream} with bounded memory and are
 * all-or-nothing: when the source fails mid-way no partial blob remains visible or on disk.
 * Ids are random ({@link BlobIds}); an id that is not one is simply unknown.
 */
public interface BlobStore extends AutoCloseable {
    /**
     * Streams {@code source} to a new blob until its end.
     *
     * @param metadata what the blob is
     * @param source   the bytes; read to the end, not closed
     * @return the stored blob
     * @throws IOException when the source fails (nothing is kept) or the store cannot write
     */
    BlobInfo write(BlobMetadata metadata, InputStream source) throws IOException;

    /**
     * Takes a finished local file as a new blob; the file is gone afterwards (moved or copied and
     * deleted). Stores that keep blobs as files move it in place instead of copying it.
     *
     * @param metadata what the blob is
     * @param file     a complete file, e.g. one ffmpeg wrote
     * @return the stored blob
     * @throws IOException when the file cannot be read or the store cannot write
     */
    default BlobInfo adopt(BlobMetadata metadata, Path file) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return write(metadata, in);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /**
     * Looks a blob up.
     *
     * @param id blob id
     * @return the blob, empty if unknown
     */
    Optional<BlobInfo> info(String id);

    /**
     * Opens a range of a blob for reading.
     *
     * @param id     blob id
     * @param offset first byte
     * @param length number of bytes, clipped to the end of the blob
     * @return the bytes; the caller closes the stream
     * @throws IOException when the blob is unknown or cannot be read
     */
    InputStream open(String id, long offset, long length) throws IOException;

    /**
     * Opens a whole blob for reading.
     *
     * @param id blob id
     * @return the bytes; the caller closes the stream
     * @throws IOException when the blob is unknown or cannot be read
     */
    default InputStream open(String id) throws IOException {
        return open(id, 0, Long.MAX_VALUE);
    }

    /**
     * Deletes a blob.
     *
     * @param id blob id
     * @return whether a blob was deleted
     */
    boolean delete(String id);

    /**
     * A local file holding the blob, when the store keeps blobs as files (ffmpeg then reads it in place).
     *
     * @param id blob id
     * @return the file, empty for stores without local files or for unknown ids
     */
    default Optional<Path> localFile(String id) {
        return Optional.empty();
    }

    /**
     * Whether the store answers now (for readiness).
     *
     * @return true when reachable
     */
    boolean reachable();

    /**
     * Deletes what writes left behind when they could not clean up after themselves (the store was
     * down when they failed, or their process died mid-write). Stores whose writes are atomic have
     * nothing to do.
     *
     * @param before only writes whose last activity is older than this are abandoned (a slower write
     *               may still be in progress)
     * @return number of abandoned writes deleted
     */
    default int deleteAbandonedWrites(java.time.Instant before) {
        return 0;
    }

    /**
     * One page of the blobs written before {@code before}, in the order of their ids, for the sweeper's
     * walk over the store in bounded steps (blobs that no job holds are deleted).
     *
     * @param before only blobs completed before this
     * @param after  only blobs whose id comes after this one in the store's order; empty for the first page
     * @param limit  at most this many
     * @return the blobs, in id order; fewer than {@code limit} when the walk reached the end
     */
    java.util.List<BlobInfo> olderThan(java.time.Instant before, String after, int limit);

    /**
     * Starts a resumable write (a tus upload): a blob whose bytes arrive over several {@link #append}
     * calls, possibly from different processes, and that becomes visible only at {@link #completeResumable}.
     *
     * @param metadata what the blob will be
     * @return the id the finished blob will have
     * @throws IOException when the store cannot write
     */
    String createResumable(BlobMetadata metadata) throws IOException;

    /**
     * Appends the bytes of {@code source} to a resumable write at {@code offset}, the length the caller last
     * committed: anything the store holds beyond it (an append whose commit never happened) is dropped first.
     * Reads {@code source} to its end; what was read is durable (synced) when this returns, so a source that
     * ends early (the caller turns a failed request body into an early end) keeps what arrived.
     *
     * @param id     resumable write id
     * @param offset committed length the bytes go after
     * @param source the bytes; read to the end, not closed
     * @return the durable length afterwards
     * @throws IOException when the write is unknown, holds fewer than {@code offset} bytes, or the store
     *                     cannot write
     */
    long append(String id, long offset, InputStream source) throws IOException;

    /**
     * Makes a resumable write of {@code length} bytes a visible blob. Calling it again after it succeeded
     * returns the same blob.
     *
     * @param id     resumable write id
     * @param length the committed length, which becomes the blob's
     * @return the blob
     * @throws IOException when the write is unknown, holds fewer bytes, or the store cannot write
     */
    BlobInfo completeResumable(String id, long length) throws IOException;

    /**
     * Reads an unfinished resumable write as far as the store holds it now, for a conversion that follows an
     * upload while it arrives (docs/architecture.md, "Converting while the upload arrives"). The bytes past the
     * committed offset may still be dropped (a PATCH that fails its checksum): whoever reads them checks the
     * finished blob's SHA-256 against what it read.
     *
     * @param id     resumable write id
     * @param offset first byte
     * @return the bytes from {@code offset} to what is held now (none when nothing more is there yet); the
     *         caller closes the stream
     * @throws java.nio.file.NoSuchFileException when there is no such unfinished write (completed or deleted)
     * @throws IOException                       when the store cannot read
     */
    default InputStream openGrowing(String id, long offset) throws IOException {
        throw new java.nio.file.NoSuchFileException("this store cannot read unfinished uploads");
    }

    /**
     * Deletes an unfinished resumable write (terminated or expired); a completed one is left alone.
     *
     * @param id resumable write id
     * @return whether there was one
     */
    boolean deleteResumable(String id);

    @Override
    void close();
}
