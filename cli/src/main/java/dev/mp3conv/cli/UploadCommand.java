package dev.mp3conv.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.github.mizosoft.methanol.MediaType;
import com.github.mizosoft.methanol.ProgressTracker;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Mp3Options;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mp3conv upload FILE...}: streams videos to the server and prints their job ids;
 * with {@code --wait} follows each conversion and downloads the MP3. Uploads are resumable (tus, in
 * {@code --chunk-size} requests): running the command again after an interruption resumes each file where
 * the server stopped. A server without tus gets one multipart request per file.
 */
@Command(name = "upload", mixinStandardHelpOptions = true,
         description = {"Upload videos for conversion and print their job ids.",
                        "With --wait, follow each conversion and download the MP3 next to the video (or into -o DIR)."})
final class UploadCommand implements Callable<Integer> {
    private static final Map<String, String> VIDEO_TYPES = Map.of(
            "mp4", "video/mp4", "m4v", "video/mp4", "mov", "video/quicktime", "mkv", "video/x-matroska",
            "webm", "video/webm", "avi", "video/x-msvideo", "mp3", "audio/mpeg", "m4a", "audio/mp4",
            "wav", "audio/wav", "ogg", "audio/ogg");

    @ParentCommand
    Mp3conv root;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Video files to convert.")
    List<Path> files;

    @ArgGroup(exclusive = true)
    Encoding encoding;

    static final class Encoding {
        @Option(names = "--bitrate", paramLabel = "RATE",
                description = "Constant bitrate: 32k, 40k, 48k, 56k, 64k, 80k, 96k, 112k, 128k, 160k, 192k, 224k, 256k or 320k.")
        String bitrate;

        @Option(names = "--quality", paramLabel = "0-9", description = "Variable bitrate quality, 0 best, 9 smallest.")
        String quality;
    }

    @Option(names = "--loudness", paramLabel = "LUFS",
            description = "Normalise to this integrated loudness (EBU R128), -40 to -9, e.g. -16 for podcasts;"
                    + " true peak at most -1.5 dBTP.")
    String loudness;

    @Option(names = "--start", paramLabel = "TIME",
            description = "Start the MP3 here in the video: seconds (90, 90.5), m:ss (1:30) or h:mm:ss(.mmm).")
    String start;

    @Option(names = "--end", paramLabel = "TIME", description = "End the MP3 here in the video (after --start).")
    String end;

    @Option(names = "--cover",
            description = "Embed a cover: the video's own picture, else a frame at 10% of it (JPEG, 600 px at most).")
    boolean cover;

    @ArgGroup(exclusive = true)
    Channels channels;

    static final class Channels {
        @Option(names = "--mono", description = "Mix down to one channel.")
        boolean mono;

        @Option(names = "--stereo", description = "Two channels (a mono source is doubled, surround mixed down).")
        boolean stereo;
    }

    @Option(names = "--sample-rate", paramLabel = "HZ", description = "Output sample rate: 22050, 32000, 44100 or 48000.")
    String sampleRate;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title tag instead of the video's (256 characters at most).")
    String title;

    @Option(names = "--artist", paramLabel = "TEXT", description = "Artist tag instead of the video's (256 characters at most).")
    String artist;

    @Option(names = "--wait", description = "Follow the conversion, then download the MP3.")
    boolean wait;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "With --wait: where to save MP3s (default: next to each video).")
    Path outputDir;

    @Option(names = "--force", description = "With --wait: overwrite existing MP3s.")
    boolean force;

    @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "32m",
            description = "Bytes per upload request (default: ${DEFAULT-VALUE}); smaller than a proxy's request limit.")
    String chunkSize;

    @Option(names = "--limit-rate", paramLabel = "RATE",
            description = "Cap the upload speed, in bytes per second like curl's: 500k, 2m.")
    String limitRate;

    /** Whether the server takes tus uploads; asked once per run. */
    private Boolean resumable;

    @Override
    public Integer call() throws IOException {
        Map<String, String> fields = encodingFields();
        chunkBytes();
        if (limitRate != null) {
            Bytes.parse(limitRate, "--limit-rate");
        }
        List<Path> videos = checkedFiles();
        List<Path> targets = wait ? checkedTargets(videos) : List.of();
        ApiClient api = root.api();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<JobView> jobs = new ArrayList<>();
        for (Path video : videos) {
            JobView job = upload(api, video, fields, err);
            jobs.add(job);
            if (wait) {
                // the id, in case the wait is interrupted: `mp3conv download ID` picks it up later
                err.println("Uploaded " + video.getFileName() + " as job " + job.id());
                err.flush();
            } else {
                out.println(root.json() ? Json.mapper().writeValueAsString(job) : job.id());
                out.flush();
            }
        }
        if (!wait) {
            return ExitCode.OK;
        }

        int exit = ExitCode.OK;
        JobFollower follower = new JobFollower(api, root.env(), err, root.verbose());
        Downloader downloader = new Downloader(api, root.env(), err);
        for (int i = 0; i < jobs.size(); i++) {
            String name = videos.get(i).getFileName().toString();
            JobView done = follower.follow(jobs.get(i).id(), name);
            if (done.state() == JobState.FAILED) {
                err.println("mp3conv: " + name + " (job " + done.id() + ") failed: " + reason(done));
                err.flush();
                exit = ExitCode.JOB_FAILED;
                if (root.json()) {
                    out.println(Json.mapper().writeValueAsString(done));
                }
                continue;
            }
            downloader.download(done.id(), targets.get(i), force);
            out.println(root.json() ? Json.mapper().writeValueAsString(done) : targets.get(i).toString());
            out.flush();
        }
        return exit;
    }

    private int chunkBytes() {
        long bytes = Bytes.parse(chunkSize, "--chunk-size");
        if (bytes < 64 * 1024 || bytes > Integer.MAX_VALUE) {
            throw new CliException(ExitCode.USAGE, "--chunk-size must be between 64k and 2047m");
        }
        return (int) bytes;
    }

    static String reason(JobView job) {
        if (job.error() == null) {
            return "no reason given";
        }
        String reason = job.error().message() == null ? job.error().code() : job.error().message();
        return job.error().detail() == null ? reason : reason + " (" + job.error().detail() + ")";
    }

    private JobView upload(ApiClient api, Path video, Map<String, String> fields, PrintWriter err) throws IOException {
        if (resumable == null) {
            resumable = api.resumableUploads();
        }
        if (resumable) {
            String id = new ResumableUploader(api, new UploadUrls(root.env().configDir()), root.env(), err,
                    chunkBytes(), limitRate == null ? 0 : Bytes.parse(limitRate, "--limit-rate"))
                    .upload(video, mediaType(video).toString(), fields);
            return api.job(id);
        }
        // a server without tus: one multipart request
        long size = Files.size(video);
        try (Progress progress = Progress.open(root.env(), err, "Uploading " + video.getFileName(),
                Progress.Unit.BYTES, size, 0)) {
            String json = api.upload(video, mediaType(video), fields,
                    p -> progress.update(fileShare(p, size)));
            progress.update(size);
            return ApiClient.read(json, JobView.class);
        }
    }

    // The tracker counts multipart bytes (boundaries and part headers included); show the
    // same fraction of the file so the bar ends at exactly the file's size.
    private static long fileShare(ProgressTracker.Progress progress, long fileSize) {
        long total = progress.contentLength();
        return total <= 0 ? Math.min(progress.totalBytesTransferred(), fileSize)
                : Math.round((double) progress.totalBytesTransferred() / total * fileSize);
    }

    private Map<String, String> encodingFields() {
        Map<String, String> fields;
        try {
            // the server's own rule, checked before a byte is uploaded
            fields = Mp3Options.fromFields(typedFields()).fields();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        if (outputDir != null && !wait) {
            throw new CliException(ExitCode.USAGE, "-o/--output-dir only applies with --wait");
        }
        return fields;
    }

    /** The options as the user typed them, under their form field names. */
    private Map<String, String> typedFields() {
        Map<String, String> typed = new java.util.LinkedHashMap<>();
        if (encoding != null) {
            put(typed, Mp3Options.BITRATE_FIELD, encoding.bitrate);
            put(typed, Mp3Options.QUALITY_FIELD, encoding.quality);
        }
        put(typed, Mp3Options.LOUDNESS_FIELD, loudness);
        put(typed, Mp3Options.START_FIELD, start);
        put(typed, Mp3Options.END_FIELD, end);
        put(typed, Mp3Options.COVER_FIELD, cover ? "true" : null);
        if (channels != null) {
            put(typed, Mp3Options.CHANNELS_FIELD, channels.mono ? "mono" : "stereo");
        }
        put(typed, Mp3Options.SAMPLE_RATE_FIELD, sampleRate);
        put(typed, Mp3Options.TITLE_FIELD, title);
        put(typed, Mp3Options.ARTIST_FIELD, artist);
        return typed;
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    // Every file is checked before the first byte goes out: a typo in the third name
    // should not cost the upload of the first two.
    private List<Path> checkedFiles() {
        List<Path> checked = new ArrayList<>();
        for (Path file : files) {
            Path video = root.env().workingDir().resolve(file);
            if (!Files.exists(video)) {
                throw new CliException(ExitCode.ERROR, file + ": no such file");
            }
            if (!Files.isRegularFile(video)) {
                throw new CliException(ExitCode.ERROR, file + ": not a regular file");
            }
            if (!Files.isReadable(video)) {
                throw new CliException(ExitCode.ERROR, file + ": permission denied");
            }
            checked.add(video);
        }
        return checked;
    }

    private List<Path> checkedTargets(List<Path> videos) {
        Path dir = outputDir == null ? null : root.env().workingDir().resolve(outputDir);
        if (dir != null && !Files.isDirectory(dir)) {
            throw new CliException(ExitCode.ERROR, outputDir + ": no such directory");
        }
        List<Path> targets = new ArrayList<>();
        for (Path video : videos) {
            Path target = Mp3Names.beside(video, dir == null ? video.toAbsolutePath().getParent() : dir);
            if (target.equals(video.toAbsolutePath())) {
                throw new CliException(ExitCode.ERROR, video.getFileName()
                        + ": the MP3 would overwrite the input; use -o DIR");
            }
            if (Files.exists(target) && !force) {
                throw new CliException(ExitCode.ERROR, target + " already exists; use --force to overwrite it");
            }
            if (targets.contains(target)) {
                throw new CliException(ExitCode.ERROR, "two files would both be saved as " + target);
            }
            targets.add(target);
        }
        return targets;
    }

    private static MediaType mediaType(Path video) {
        String name = video.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String known = dot < 0 ? null : VIDEO_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (known != null) {
            return MediaType.parse(known);
        }
        try {
            String probed = Files.probeContentType(video);
            return MediaType.parse(probed == null ? "application/octet-stream" : probed);
        } catch (IOException | IllegalArgumentException e) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }
}
