package dev.mp3conv.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FileSystemBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;
    private FileSystemBlobStore store;

    @BeforeEach
    void open() throws IOException {
        store = FileSystemBlobStore.open(root);
    }

    @Override
    BlobStore store() {
        return store;
    }

    @Override
    boolean anythingLeftBehind() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).findAny().isPresent();
        }
    }

    @Override
    void writeLegacy(String objectId, byte[] data) throws IOException {
        Path shard = Files.createDirectories(root.resolve("blobs").resolve(objectId.substring(22)));
        Files.write(shard.resolve(objectId), data);
        Files.writeString(shard.resolve(objectId + ".json"), "{\"owner\":\"u1\",\"jobId\":\"j1\","
                + "\"contentType\":\"video/mp4\",\"filename\":\"old.mp4\",\"created\":\"2026-01-01T00:00:00Z\"}");
    }

    @Test
    void blobsAreLocalFilesAndSurviveReopening() throws IOException {
        BlobInfo info = store.write(META, new java.io.ByteArrayInputStream("hello".getBytes()));
        assertThat(store.localFile(info.id())).hasValueSatisfying(p -> assertThat(p).hasContent("hello"));

        FileSystemBlobStore reopened = FileSystemBlobStore.open(root);
        assertThat(reopened.info(info.id())).hasValueSatisfying(found -> {
            assertThat(found.length()).isEqualTo(5);
            assertThat(found.metadata()).isEqualTo(META);
            assertThat(found.created()).isEqualTo(info.created());
        });
    }

    @Test
    void resumableWritesSurviveReopeningTheStore() throws IOException {
        String id = store.createResumable(META);
        long offset = store.append(id, 0, new java.io.ByteArrayInputStream("hel".getBytes()));
        FileSystemBlobStore reopened = FileSystemBlobStore.open(root);
        long end = reopened.append(id, offset, new java.io.ByteArrayInputStream("lo".getBytes()));
        BlobInfo info = reopened.completeResumable(id, end);
        assertThat(reopened.localFile(info.id())).hasValueSatisfying(p -> assertThat(p).hasContent("hello"));
        assertThat(info.metadata()).isEqualTo(META);
    }

    @Test
    void appendsLongerThanTheEarlyWritebackStepKeepEveryByteAlsoWhenTheSourceFails() throws Exception {
        // 4 MiB steps start a sync beside the writes: several run during these appends
        long size = 21L * 1024 * 1024 + 3;
        String id = store.createResumable(META);
        GeneratedStream failing = new GeneratedStream(size, 21, 13L * 1024 * 1024 + 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.append(id, 0, failing))
                .isInstanceOf(IOException.class);
        long end = store.append(id, 0, new GeneratedStream(size, 21, -1));
        assertThat(end).isEqualTo(size);
        BlobInfo info = store.completeResumable(id, end);
        try (java.io.InputStream stored = store.open(info.id());
             java.io.InputStream expected = new GeneratedStream(size, 21, -1)) {
            assertThat(stored).hasSameContentAs(expected);
        }
    }

    @Test
    void leftoversOfACrashedWriteAreRemovedOnOpen() throws IOException {
        Path part = Files.writeString(root.resolve("tmp").resolve("0123456789abcdef01234567.part"), "half");
        FileSystemBlobStore.open(root);
        assertThat(part).doesNotExist();
    }
}
