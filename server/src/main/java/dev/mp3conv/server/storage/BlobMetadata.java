package dev.mp3conv.server.storage;

/**
 * What a blob is, stored beside its bytes.
 *
 * @param owner       owning user id
 * @param jobId       job the blob belongs to
 * @param contentType media type of the bytes
 * @param filename    file name shown to users
 */
public record BlobMetadata(String owner, String jobId, String contentType, String filename) {
}
