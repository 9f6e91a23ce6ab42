/**
 * Where bytes and metadata live: the {@link dev.mp3conv.server.storage.BlobStore} (GridFS or the
 * filesystem), the MongoDB connection, and the embedded MongoDB-wire server of the single-machine stack.
 * Reactive driver types stay inside this package behind plain blocking calls ({@link dev.mp3conv.server.storage.Await}).
 */
package dev.mp3conv.server.storage;
