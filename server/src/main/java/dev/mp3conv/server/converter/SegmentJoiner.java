package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Joins a job's encoded segments (the blob store's files, or copies of its blobs) into one MP3 file
 * ({@link Mp3Stitcher}, which hashes it as it writes it) and judges it like a single run's output: it must
 * cover the audio the plan covered.
 */
final class SegmentJoiner {
    private static final double MIN_COVERAGE = 0.99;

    private final BlobStore blobs;
    private final Path tempDir;

    SegmentJoiner(BlobStore blobs, Path tempDir) {
        this.blobs = blobs;
        this.tempDir = tempDir;
    }

    /**
     * Stitches the segments into {@code file}, hashing what is written.
     *
     * @param encodes the job's encoded units, in order, all DONE with a blob
     * @param file    an existing, empty file
     * @param prefix  bytes to write before the MP3 (its ID3v2 tag)
     * @return what was written, with its SHA-256
     * @throws IOException            when a blob cannot be read or is not what an encode writes
     * @throws MediaRejectedException when the audio is shorter than planned (a truncated input)
     */
    Mp3Stitcher.Result join(List<Segment> encodes, Path file, byte[] prefix) throws IOException, MediaRejectedException {
        if (encodes.isEmpty() || encodes.stream().anyMatch(s -> !Segment.DONE.equals(s.state()) || s.blobId() == null)) {
            throw new IOException("the stitch step ran before every segment was encoded");
        }
        List<FileChannel> channels = new ArrayList<>();
        List<Path> copies = new ArrayList<>();
        Mp3Stitcher.Result result;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            List<Mp3Stitcher.Part> parts = new ArrayList<>();
            for (Segment encode : encodes) {
                FileChannel in = FileChannel.open(local(encode.blobId(), copies), StandardOpenOption.READ);
                channels.add(in);
                parts.add(new Mp3Stitcher.Part(in, encode.keepFrom(), encode.keepBefore()));
            }
            result = Mp3Stitcher.stitch(parts, out, prefix);
        } finally {
            for (FileChannel in : channels) {
                in.close();
            }
            for (Path copy : copies) {
                Files.deleteIfExists(copy);
            }
        }
        double seconds = (double) result.samples() / result.sampleRate();
        // the plan covered the audio duration ffmpeg stated (the stream's, else the container's)
        double planned = encodes.stream().mapToDouble(Segment::seconds).sum();
        if (seconds < MIN_COVERAGE * planned) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_MEDIA, String.format(Locale.ROOT,
                    "the audio ends at %.1f s of %.1f s: the file is truncated or corrupt", seconds, planned));
        }
        return result;
    }

    /**
     * The segment's file: the filesystem store's own, else a copy in the scratch directory (the stitcher maps
     * its segments and copies runs of their bytes).
     */
    private Path local(String blobId, List<Path> copies) throws IOException {
        Optional<Path> own = blobs.localFile(blobId);
        if (own.isPresent()) {
            return own.get();
        }
        Path copy = Files.createTempFile(tempDir, "segment-", ".mp3");
        copies.add(copy);
        try (InputStream in = blobs.open(blobId)) {
            Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }
}
