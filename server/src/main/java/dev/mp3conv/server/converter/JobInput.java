package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Where ffmpeg reads a job's video. ffmpeg must never see the job's input beside other users' blobs
 * (a playlist or concat file resolves names relative to its own location), so a store that keeps
 * files gives ffmpeg a hard link in a directory of the job's own (read in place, no copy); otherwise,
 * or when the link cannot be made (scratch and blobs on different file systems), a token-guarded
 * loopback URL with byte ranges. Both are seekable.
 */
final class JobInput implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JobInput.class.getName());

    private final String address;
    private final Optional<LoopbackMediaServer.Served> served;
    private final Optional<Path> jobDir;
    private final Optional<LoopbackMediaServer.Followed> followed;

    private JobInput(String address, Optional<LoopbackMediaServer.Served> served, Optional<Path> jobDir) {
        this(address, served, jobDir, Optional.empty());
    }

    private JobInput(String address, Optional<LoopbackMediaServer.Served> served, Optional<Path> jobDir,
                     Optional<LoopbackMediaServer.Followed> followed) {
        this.address = address;
        this.served = served;
        this.jobDir = jobDir;
        this.followed = followed;
    }

    /**
     * An upload that is still arriving, read front to back over the loopback endpoint (issue 24): not seekable.
     *
     * @param entry the followed upload
     * @return the input
     */
    static JobInput following(LoopbackMediaServer.Followed entry) {
        return new JobInput(entry.url(), Optional.empty(), Optional.empty(), Optional.of(entry));
    }

    static JobInput open(Job job, BlobStore blobs, LoopbackMediaServer loopback, ConverterScratch scratch)
            throws IOException, MediaRejectedException {
        Optional<Path> file = blobs.localFile(job.videoFid());
        if (file.isPresent()) {
            Path dir = scratch.jobDir(job.id());
            try {
                Path link = Files.createLink(dir.resolve("input"), file.get());
                // "file:" so that no path can be mistaken for another protocol ("name:…")
                return new JobInput("file:" + link.toAbsolutePath(), Optional.empty(), Optional.of(dir));
            } catch (FileSystemException e) {
                ConverterScratch.delete(dir);
                if (!Files.exists(file.get())) {
                    throw new MediaRejectedException(MediaRejectedException.MISSING_INPUT, "the uploaded video is gone");
                }
                if (!"Invalid cross-device link".equals(e.getReason())) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "job {0}: blobs on another file system, served over loopback", job.id());
            } catch (IOException | RuntimeException e) {
                ConverterScratch.delete(dir);
                throw e;
            }
        }
        BlobInfo blob = blobs.info(job.videoFid()).orElseThrow(() -> new MediaRejectedException(
                MediaRejectedException.MISSING_INPUT, "the uploaded video is gone"));
        LoopbackMediaServer.Served entry = loopback.serve(blob.id(), blob.length());
        return new JobInput(entry.url(), Optional.of(entry), Optional.empty());
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
        return served.map(LoopbackMediaServer.Served::failed).orElse(false)
                || followed.map(f -> f.upload().failed()).orElse(false);
    }

    @Override
    public void close() {
        served.ifPresent(LoopbackMediaServer.Served::close);
        followed.ifPresent(LoopbackMediaServer.Followed::close);
        jobDir.ifPresent(ConverterScratch::delete);
    }
}
