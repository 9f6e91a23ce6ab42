package dev.mp3conv.server.jobs;

import dev.mp3conv.server.storage.BlobStore;
import dev.mp3conv.server.storage.GridFsBlobStore;
import org.junit.jupiter.api.BeforeEach;

/** Retention on GridFS (the cluster), in the same stand-in database as the jobs. */
class GridFsRetentionIT extends RetentionContract {
    private GridFsBlobStore store;

    @BeforeEach
    void openStore() {
        store = GridFsBlobStore.open(mongo.database(), "fs");
    }

    @Override
    BlobStore blobs() {
        return store;
    }
}
