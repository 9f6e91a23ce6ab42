package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Runs ffmpeg on one input and stores what it writes as an MP3 blob, through a temporary file: ffmpeg writes
 * the MP3's seek-back header there (VBR, stream copy; see {@link Mp3Encoding}), and a run that reads the
 * source's tags itself ({@link Tagging#fromRun}) prints them only after the last frame, so the ID3 tag goes in
 * front afterwards. The caller judges the result and deletes the blob if it is no good.
 */
final class Mp3Transcoder {
    /**
     * The ID3v2 tag in front of an MP3's frames ({@link Id3v2Tag}; ffmpeg writes none itself): one made before
     * the run, or one made from the source's tags that the run itself prints as a second output
     * ({@link SourceTags#OUTPUT}), which spares a whole ffmpeg process per job for a separate tag read
     * (bench/tags-read.sh: 19% of a one-minute job's CPU). ffmpeg prints those tags as it ends, after the last
     * MP3 frame, so such a run writes its MP3 to a file and tags it afterwards.
     */
    sealed interface Tagging {
        /**
         * A tag made before the run.
         *
         * @param id3 the tag's bytes, empty for none
         * @return the tagging
         */
        static Tagging given(byte[] id3) {
            return new Given(id3);
        }

        /**
         * A tag made from the tags the run reads.
         *
         * @param filename the upload's file name, for the title when the source has none
         * @param id3      makes the tag's bytes of the source's tags
         * @return the tagging
         */
        static Tagging fromRun(String filename, java.util.function.Function<SourceTags, byte[]> id3) {
            return new FromRun(filename, id3);
        }

        /**
         * A tag made before the run.
         *
         * @param id3 the tag's bytes, empty for none
         */
        record Given(byte[] id3) implements Tagging {
        }

        /**
         * A tag made from the tags the run reads.
         *
         * @param filename the upload's file name, for the title when the source has none
         * @param id3      makes the tag's bytes of the source's tags
         */
        record FromRun(String filename, java.util.function.Function<SourceTags, byte[]> id3) implements Tagging {
        }
    }

    /** How long measuring an MP3's loudness may take (decoding runs at hundreds of times real time). */
    static final Duration MEASURE_TIMEOUT = Duration.ofMinutes(10);

    private final Ffmpeg ffmpeg;
    private final BlobStore blobs;
    private final Path tempDir;
    private final MediaLimits limits;
    private final LoudnessMeasurement loudness;

    Mp3Transcoder(Ffmpeg ffmpeg, BlobStore blobs, Path tempDir, MediaLimits limits) throws IOException {
        this.ffmpeg = ffmpeg;
        this.limits = limits;
        this.blobs = blobs;
        this.loudness = new LoudnessMeasurement(ffmpeg, limits);
        // this process's scratch directory: what a dead process left is removed by ConverterScratch
        this.tempDir = Files.createDirectories(tempDir);
    }

    /**
     * What one ffmpeg run produced.
     *
     * @param blob       the stored MP3, empty when nothing was stored
     * @param sha256     hex SHA-256 of the stored MP3, computed on its way into the store; null without a blob
     * @param exitCode   ffmpeg's exit code
     * @param outSeconds media seconds written (from {@code -progress})
     * @param reason     ffmpeg's last diagnostic line
     * @param media      what ffmpeg's summary of the input says (empty when it could not open it)
     * @param opened     whether ffmpeg opened the input
     * @param outputLoudness the MP3's loudness, measured when the job asks for loudness
     * @param splitTags  the source's tags a run that reads them printed when it was ended for segments (asked to
     *                   end, it finished that output: {@link RunningConversion#stop}); empty otherwise
     * @param taps       what the filter graph's {@code ashowinfo@name} taps printed (a segment's checks): name to pts
     */
    record Result(Optional<BlobInfo> blob, String sha256, int exitCode, double outSeconds, String reason,
                  MediaInfo media, boolean opened, Optional<LoudnessMeasurement.Measured> outputLoudness,
                  Optional<SourceTags> splitTags, java.util.Map<String, Long> taps) {
        Result(Optional<BlobInfo> blob, String sha256, int exitCode, double outSeconds, String reason, MediaInfo media,
               boolean opened, Optional<LoudnessMeasurement.Measured> outputLoudness) {
            this(blob, sha256, exitCode, outSeconds, reason, media, opened, outputLoudness, Optional.empty(),
                    java.util.Map.of());
        }

        Result(Optional<BlobInfo> blob, String sha256, int exitCode, double outSeconds, String reason, MediaInfo media,
               boolean opened) {
            this(blob, sha256, exitCode, outSeconds, reason, media, opened, Optional.empty());
        }

        static Result of(Optional<BlobInfo> blob, String sha256, FfmpegProcess process, int exitCode) {
            return of(blob, sha256, process, exitCode, Optional.empty());
        }

        static Result of(Optional<BlobInfo> blob, String sha256, FfmpegProcess process, int exitCode,
                         Optional<LoudnessMeasurement.Measured> loudness) {
            return of(blob, sha256, process, exitCode, loudness, Optional.empty());
        }

        static Result of(Optional<BlobInfo> blob, String sha256, FfmpegProcess process, int exitCode,
                         Optional<LoudnessMeasurement.Measured> loudness, Optional<SourceTags> splitTags) {
            List<String> summary = process.summary();
            return new Result(blob, sha256, exitCode, process.outTimeSeconds(), process.reason(),
                    FfmpegLog.parseSummary(summary), FfmpegLog.opened(summary), loudness, splitTags, process.taps());
        }
    }

    /**
     * Runs ffmpeg once, the MP3 led by the ID3 tag of these tags (a segment's: none); without {@code hashed}, an
     * output written to a file is stored without its SHA-256 (a segment's, which only the stitch step reads).
     *
     * @param job       the job
     * @param input     where ffmpeg reads
     * @param encoding  output options
     * @param tags      the ID3 tags to write
     * @param running   the conversion (to attach the process to)
     * @param onSummary told what ffmpeg found in the input as soon as it says so
     * @param hashed    whether the result needs the SHA-256 of what was stored
     * @return what came out ({@code sha256} null when not hashed)
     * @throws IOException          when ffmpeg cannot start or the store fails
     * @throws InterruptedException when interrupted
     */
    Result transcode(Job job, String input, Mp3Encoding encoding, SourceTags tags, RunningConversion running,
                     Consumer<MediaInfo> onSummary, boolean hashed) throws IOException, InterruptedException {
        return transcode(job, input, encoding, Tagging.given(Id3v2Tag.of(tags)), running, onSummary, hashed);
    }

    /**
     * Runs ffmpeg once, the MP3 led by an ID3 tag ({@link Id3v2Tag}: ffmpeg writes none itself), its SHA-256
     * computed. A job that asks for loudness has its MP3 measured before it is stored.
     *
     * @param job       the job
     * @param input     where ffmpeg reads
     * @param encoding  output options
     * @param tagging   the ID3v2 tag to put in front, or how to make it from the tags the run reads
     * @param running   the conversion (to attach the process to)
     * @param onSummary told what ffmpeg found in the input as soon as it says so
     * @return what came out
     * @throws IOException          when ffmpeg cannot start or the store fails
     * @throws InterruptedException when interrupted
     */
    Result transcode(Job job, String input, Mp3Encoding encoding, Tagging tagging, RunningConversion running,
                     Consumer<MediaInfo> onSummary) throws IOException, InterruptedException {
        return transcode(job, input, encoding, tagging, running, onSummary, true);
    }

    private Result transcode(Job job, String input, Mp3Encoding encoding, Tagging tagging, RunningConversion running,
                             Consumer<MediaInfo> onSummary, boolean hashed) throws IOException, InterruptedException {
        BlobMetadata metadata = new BlobMetadata(job.owner(), job.id(), "audio/mpeg", mp3Name(job.filename()));
        Path file = Files.createTempFile(tempDir, job.id() + "-", ".mp3");
        boolean readsTags = tagging instanceof Tagging.FromRun;
        try (FfmpegProcess process = start(command(input, encoding, file.toString(), readsTags), input, running,
                onSummary)) {
            byte[] ffmetadata = new byte[0];
            IOException unreadTags = null;
            if (readsTags) {
                try {
                    // bounded: the tags are the uploader's, and a container may carry megabytes of them
                    ffmetadata = process.readStdoutToEnd(SourceTags.MAX_METADATA);
                } catch (IOException e) {
                    // a killed run's pipe may be closed under the reader: only a finished run needs its tags
                    unreadTags = e;
                }
            } else {
                process.stdout().close();
            }
            int exit = process.waitFor();
            if (exit != 0 || running.stopped().isPresent()) {
                return Result.of(Optional.empty(), null, process, exit, Optional.empty(),
                        splitTags(tagging, running, process, unreadTags == null ? ffmetadata : null));
            }
            if (unreadTags != null) {
                throw new IOException("cannot read the tags ffmpeg printed: " + unreadTags.getMessage(), unreadTags);
            }
            Optional<LoudnessMeasurement.Measured> loudness = Optional.empty();
            if (encoding.options().loudness() != null) {
                try {
                    loudness = Optional.of(this.loudness.file(file, MEASURE_TIMEOUT, running::attachHelper));
                } catch (MediaRejectedException e) {
                    throw new IOException("the MP3 just written cannot be measured: " + e.getMessage(), e);
                }
            }
            byte[] id3 = switch (tagging) {
                case Tagging.Given given -> given.id3();
                case Tagging.FromRun fromRun ->
                        fromRun.id3().apply(SourceTags.fromFfmetadata(ffmetadata, fromRun.filename()));
            };
            Id3v2Tag.prepend(id3, file, tempDir);
            // hashed before the store takes it: the filesystem store moves the file in place, so this
            // read of a few MB is the only one
            String sha256 = hashed ? sha256Hex(file) : null;
            return Result.of(Optional.of(blobs.adopt(metadata, file)), sha256, process, exit, loudness);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The tags a run printed when it was ended for segments: only when it ended by itself after being asked to
     * (a killed run may have printed part of a large tag section) and its output was read to the end.
     */
    private static Optional<SourceTags> splitTags(Tagging tagging, RunningConversion running, FfmpegProcess process,
                                                  byte[] ffmetadata) {
        if (!(tagging instanceof Tagging.FromRun fromRun) || ffmetadata == null
                || running.stopped().filter(stop -> stop == RunningConversion.Stop.SEGMENTED).isEmpty()
                || !process.endedOnTerm()) {
            return Optional.empty();
        }
        return Optional.of(SourceTags.fromFfmetadata(ffmetadata, fromRun.filename()));
    }

    private static FfmpegProcess start(List<String> command, String input, RunningConversion running,
                                       Consumer<MediaInfo> onSummary) throws IOException {
        FfmpegProcess process = FfmpegProcess.start(command, input);
        running.attach(process);
        process.onSummary(lines -> onSummary.accept(FfmpegLog.parseSummary(lines)));
        return process;
    }

    private List<String> command(String input, Mp3Encoding encoding, String output, boolean readsTags) {
        List<String> command = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin",
                // info with level tags: the input's summary (duration, audio stream) is read from this run,
                // so no separate probe runs for a good input
                "-loglevel", "level+info", "-nostats", "-progress", "pipe:2", "-y"));
        // a segment's seek (-ss) goes before its input; the allow-lists apply all the same
        command.addAll(encoding.inputArgs());
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input));
        command.addAll(encoding.codecArgs());
        // no tag from ffmpeg (the caller puts an Id3v2Tag in front), none of the source's copied
        command.addAll(List.of("-map_metadata", "-1", "-fflags", "+bitexact", "-id3v2_version", "0"));
        command.addAll(limits.outputOptions(encoding));
        // without this, an input ffmpeg cannot read to the end may "succeed" with a 136-byte MP3
        command.addAll(List.of("-abort_on", "empty_output_stream"));
        if (!encoding.xingHeader()) {
            // CBR: the bytes it had when it streamed from stdout (before the run printed the tags), no Xing/Info
            // frame
            command.addAll(List.of("-write_xing", "0"));
        }
        command.addAll(List.of("-f", "mp3", output));
        if (readsTags) {
            // the source's tags, a second output beside the MP3 (no stream of its own: ffmpeg maps none to it)
            command.addAll(SourceTags.OUTPUT);
        }
        return command;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The SHA-256 of a file, as a job records its MP3's.
     *
     * @param file the file
     * @return lowercase hex
     * @throws IOException when it cannot be read
     */
    static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String mp3Name(String filename) {
        String name = filename == null || filename.isBlank() ? "audio" : filename;
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return base + ".mp3";
    }
}
