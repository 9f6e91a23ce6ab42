package dev.mp3conv.server.jobs;

import java.io.IOException;
import java.nio.file.Path;

import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Retention on the filesystem blob store (the embedded stack). */
class FileSystemRetentionIT extends RetentionContract {
    @TempDir
    Path root;
    private FileSystemBlobStore store;

    @BeforeEach
    void openStore() throws IOException {
        store = FileSystemBlobStore.open(root);
    }

    @Override
    BlobStore blobs() {
        return store;
    }
}
