package dev.mp3conv.server.gateway;

import java.util.Map;

/** Retention and quotas on the embedded stack (filesystem blobs). */
class FileSystemRetentionAndQuotaIT extends RetentionAndQuotaContract {
    @Override
    Map<String, String> storeSettings() {
        return Map.of();
    }

    @Override
    boolean anythingStored() {
        return !StoredFiles.blobs(dataDir).isEmpty() || !StoredFiles.partial(dataDir).isEmpty();
    }
}
