package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Where ffmpeg reads a job's video: the blob's own file when the store keeps files (read in place,
 * no copy), else a token-guarded loopback URL with byte ranges. Both are seekable.
 */
final class JobInput implements AutoCloseable {
    private final String address;
    private final Optional<LoopbackMediaServer.Served> served;

    private JobInput(String address, Optional<LoopbackMediaServer.Served> served) {
        this.address = address;
        this.served = served;
    }

    static JobInput open(Job job, BlobStore blobs, LoopbackMediaServer loopback) throws IOException, MediaRejectedException {
        Optional<Path> file = blobs.localFile(job.videoFid());
        if (file.isPresent()) {
            // "file:" so that no path can be mistaken for another protocol ("name:…")
            return new JobInput("file:" + file.get(), Optional.empty());
        }
        BlobInfo blob = blobs.info(job.videoFid()).orElseThrow(() -> new MediaRejectedException(
                MediaRejectedException.MISSING_INPUT, "the uploaded video is gone"));
        LoopbackMediaServer.Served entry = loopback.serve(blob.id(), blob.length());
        return new JobInput(entry.url(), Optional.of(entry));
    }

    /**
     * The path or URL to give ffmpeg (a URL carries a token: never log it).
     *
     * @return address
     */
    String address() {
        return address;
    }

    /**
     * Whether the store failed while serving the video.
     *
     * @return true after a store error
     */
    boolean failed() {
        return served.map(LoopbackMediaServer.Served::failed).orElse(false);
    }

    @Override
    public void close() {
        served.ifPresent(LoopbackMediaServer.Served::close);
    }
}
