package dev.mp3conv.server.storage;

import java.time.Instant;

/**
 * A stored blob.
 *
 * @param id       blob id ({@link BlobIds}, for both stores)
 * @param length   size in bytes
 * @param metadata owner, job, content type, file name
 * @param created  when the write completed
 */
public record BlobInfo(String id, long length, BlobMetadata metadata, Instant created) {
}
