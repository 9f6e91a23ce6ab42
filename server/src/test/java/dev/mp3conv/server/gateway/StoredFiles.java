package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the filesystem blob store holds on disk: finished blobs and partial writes. */
final class StoredFiles {
    private StoredFiles() {
    }

    /** Files under {@code blobs/} (blobs and their sidecars). */
    static List<Path> blobs(Path dataDir) {
        return files(dataDir.resolve("blobs"));
    }

    /** Files under {@code tmp/} (writes in progress). */
    static List<Path> partial(Path dataDir) {
        return files(dataDir.resolve("tmp"));
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
