package dev.mp3conv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class UploadCommandTest {
    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;
    Cli cli;
    Path video;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        cli = new Cli(config, work).server(api.url());
        cli.loggedIn(api, "ann@example.com");
        video = work.resolve("talk.mp4");
        byte[] bytes = new byte[1_500_000];
        new Random(1).nextBytes(bytes);
        Files.write(video, bytes);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void uploadStreamsTheFileAndPrintsTheJobId() {
        Cli.Result r = cli.run("upload", "talk.mp4", "--bitrate", "192k");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.uploads).singleElement().satisfies(u -> {
            assertThat(u.filename()).isEqualTo("talk.mp4");
            assertThat(u.contentType()).isEqualTo("video/mp4");
            assertThat(u.bytes()).isEqualTo(1_500_000);
            assertThat(u.fields()).isEqualTo(Map.of("bitrate", "192k"));
        });
        String id = api.jobs.keySet().iterator().next();
        assertThat(r.out()).isEqualTo(id + "\n");
    }

    @Test
    void uploadOfSeveralFilesWithQualityAndJson() throws Exception {
        Files.write(work.resolve("b.mkv"), new byte[1234]);
        Cli.Result r = cli.run("upload", "talk.mp4", "b.mkv", "--quality", "2", "--json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.uploads).extracting(FakeApi.Upload::filename).containsExactly("talk.mp4", "b.mkv");
        assertThat(api.uploads).extracting(FakeApi.Upload::fields).containsOnly(Map.of("quality", "2"));
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(Json.mapper().readTree(lines.get(1)).get("filename").asText()).isEqualTo("b.mkv");
        assertThat(Json.mapper().readTree(lines.get(1)).get("size").asLong()).isEqualTo(1234);
    }

    @Test
    void missingFileFailsBeforeAnyNetworkCall() {
        Cli.Result r = cli.run("upload", "talk.mp4", "nope.mp4");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: nope.mp4: no such file\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void unreadableFileOrDirectoryFailsBeforeAnyNetworkCall() throws Exception {
        Cli.Result dir = cli.run("upload", ".");
        assertThat(dir.exitCode()).isEqualTo(1);
        assertThat(dir.err()).isEqualTo("mp3conv: .: not a regular file\n");

        Files.setPosixFilePermissions(video, PosixFilePermissions.fromString("-w-------"));
        boolean rootIgnoresModes = Files.isReadable(video);
        if (!rootIgnoresModes) {
            Cli.Result unreadable = cli.run("upload", "talk.mp4");
            assertThat(unreadable.exitCode()).isEqualTo(1);
            assertThat(unreadable.err()).isEqualTo("mp3conv: talk.mp4: permission denied\n");
        }
        assertThat(api.requests).isEmpty();
    }

    @Test
    void badEncodingOptionsAreUsageErrors() {
        Cli.Result both = cli.run("upload", "talk.mp4", "--bitrate", "192k", "--quality", "2");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");

        Cli.Result rate = cli.run("upload", "talk.mp4", "--bitrate", "fast");
        assertThat(rate.exitCode()).isEqualTo(2);
        assertThat(rate.err()).isEqualTo("mp3conv: bitrate must be one of 32k, 40k, 48k, 56k, 64k, 80k, 96k, "
                + "112k, 128k, 160k, 192k, 224k, 256k, 320k\n");

        // a rate of the right shape that LAME has not: refused here, before the file is uploaded
        Cli.Result odd = cli.run("upload", "talk.mp4", "--bitrate", "100k");
        assertThat(odd.exitCode()).isEqualTo(2);
        assertThat(odd.err()).startsWith("mp3conv: bitrate must be one of 32k");

        Cli.Result quality = cli.run("upload", "talk.mp4", "--quality", "12");
        assertThat(quality.exitCode()).isEqualTo(2);
        assertThat(quality.err()).isEqualTo("mp3conv: quality must be a VBR quality from 0 (best) to 9\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void audioOptionsAreSentAsTheServersFormFields() {
        Cli.Result r = cli.run("upload", "talk.mp4", "--loudness", "-16", "--start", "1:30", "--end", "45:00", "--cover",
                "--mono", "--sample-rate", "44100", "--title", "Mein Vortrag \u00fcber M\u00e4rz", "--artist", "Ann");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.uploads).singleElement().satisfies(u -> assertThat(u.fields()).isEqualTo(Map.of(
                "loudness", "-16", "start", "90", "end", "2700", "cover", "true", "channels", "mono",
                "sample_rate", "44100", "title", "Mein Vortrag \u00fcber M\u00e4rz", "artist", "Ann")));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "--loudness|16|loudness must be a target in LUFS from -40 to -9, e.g. -16",
        "--loudness|-5|loudness must be a target in LUFS from -40 to -9, e.g. -16",
        "--loudness|loud|loudness must be a target in LUFS from -40 to -9, e.g. -16",
        "--start|1:75|start must be seconds (90, 90.5) or m:ss / h:mm:ss(.mmm) up to 100 h",
        "--start|-3|start must be seconds (90, 90.5) or m:ss / h:mm:ss(.mmm) up to 100 h",
        "--end|soon|end must be seconds (90, 90.5) or m:ss / h:mm:ss(.mmm) up to 100 h",
        "--sample-rate|96000|sample_rate must be one of 22050, 32000, 44100, 48000 (Hz)",
        "--sample-rate|44.1k|sample_rate must be one of 22050, 32000, 44100, 48000 (Hz)",
        "--title|bad\u0007bell|title must not contain control characters",
        "--artist|a\u202eb|artist must not contain control characters"})
    void badAudioOptionsAreOneLineAndExit2BeforeUploading(String option, String value, String message) {
        Cli.Result r = cli.run("upload", "talk.mp4", option, value);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mp3conv: " + message + "\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void impossibleTrimsAndBoundsAreRefusedBeforeUploading() {
        Cli.Result backwards = cli.run("upload", "talk.mp4", "--start", "45:00", "--end", "1:30");
        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err()).isEqualTo("mp3conv: end must be after start\n");
        Cli.Result longTitle = cli.run("upload", "talk.mp4", "--title", "x".repeat(257));
        assertThat(longTitle.exitCode()).isEqualTo(2);
        assertThat(longTitle.err()).isEqualTo("mp3conv: title must be at most 256 characters\n");
        Cli.Result both = cli.run("upload", "talk.mp4", "--mono", "--stereo");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void notLoggedInFailsBeforeUploading() throws Exception {
        Files.delete(config.resolve("config.json"));
        Cli.Result r = cli.run("upload", "talk.mp4");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("mp3conv: not logged in to " + api.url() + "; run `mp3conv login`\n");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void tooLargeShowsTheServersLimit() {
        api.maxUpload = 1_000_000;
        Cli.Result r = cli.run("upload", "talk.mp4");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).endsWith("\nmp3conv: the upload exceeds the limit of 1000000 bytes\n")
                .doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void tooLargeRejectedBeforeTheBodyIsReadStillShowsTheLimit() throws Exception {
        api.maxUpload = 1_000_000;
        api.rejectEarly = true;
        byte[] big = new byte[5_000_000];
        Files.write(video, big);
        Cli.Result r = cli.run("upload", "talk.mp4");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).endsWith("\nmp3conv: the upload is larger than the limit of 1000000 bytes\n");
    }

    @Test
    void waitFollowsEventsThenDownloadsNextToTheVideo() throws Exception {
        Cli.Result r = cli.run("upload", "talk.mp4", "--wait");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        FakeApi.Job job = api.jobs.values().iterator().next();
        Path mp3 = work.resolve("talk.mp3");
        assertThat(r.out()).isEqualTo(mp3 + "\n");
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
        assertThat(Downloader.partFile(mp3, job.id)).doesNotExist();
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/events")).hasSize(1);
        assertThat(r.err()).contains("Uploaded talk.mp4 as job " + job.id + "\n")
                .containsPattern("Converting talk\\.mp4: +\\[#{8}\\] 100%  DONE");
    }

    @Test
    void waitFallsBackToPollingWhenEventsAreUnavailable() throws Exception {
        api.sse = FakeApi.Sse.UNAVAILABLE;
        Path out = Files.createDirectory(work.resolve("out"));
        Cli.Result r = cli.run("upload", "talk.mp4", "--wait", "-o", "out");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        FakeApi.Job job = api.jobs.values().iterator().next();
        assertThat(Files.readAllBytes(out.resolve("talk.mp3"))).isEqualTo(job.mp3);
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id).stream()
                .filter(q -> q.path().equals("/api/v1/jobs/" + job.id))).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void waitFallsBackToPollingWhenTheEventStreamEndsEarly() throws Exception {
        api.sse = FakeApi.Sse.CUT;
        Cli.Result r = cli.run("--verbose", "upload", "talk.mp4", "--wait");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("event stream ended before the job finished; polling");
        assertThat(work.resolve("talk.mp3")).isRegularFile();
    }

    @Test
    void waitOnAFailingJobExits4WithTheReason() {
        api.script = List.of(JobState.QUEUED, JobState.FAILED);
        Cli.Result r = cli.run("upload", "talk.mp4", "--wait");

        assertThat(r.exitCode()).isEqualTo(4);
        String id = api.jobs.keySet().iterator().next();
        assertThat(r.err()).endsWith("mp3conv: talk.mp4 (job " + id + ") failed: the video has no audio stream\n");
        assertThat(work.resolve("talk.mp3")).doesNotExist();
    }

    @Test
    void waitRefusesToOverwriteBeforeUploading() throws Exception {
        Files.writeString(work.resolve("talk.mp3"), "mine");
        Cli.Result r = cli.run("upload", "talk.mp4", "--wait");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: " + work.resolve("talk.mp3") + " already exists; use --force to overwrite it\n");
        assertThat(api.requests).isEmpty();
        assertThat(work.resolve("talk.mp3")).hasContent("mine");
    }

    @Test
    void outputDirWithoutWaitIsAUsageError() {
        Cli.Result r = cli.run("upload", "talk.mp4", "-o", ".");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(api.requests).isEmpty();
    }

    @Test
    void withoutATerminalProgressIsPlainLines() {
        cli.terminal = false;
        Cli.Result r = cli.run("upload", "talk.mp4", "--wait");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f]");
        List<String> lines = r.err().lines().toList();
        // the test clock stands still: no speed, and done "in 0:00"
        assertThat(lines).filteredOn(l -> l.startsWith("Uploading talk.mp4: ")).hasSizeGreaterThan(1)
                .last().isEqualTo("Uploading talk.mp4:   [########] 100%  1.4 of 1.4 MiB  in 0:00");
        assertThat(lines).contains("Converting talk.mp4:  [--------]   0%  QUEUED",
                "Converting talk.mp4:  [####----]  50%  CONVERTING", "Converting talk.mp4:  [########] 100%  DONE  in 0:00");
        assertThat(lines).filteredOn(l -> l.startsWith("Downloading talk.mp3: ")).last()
                .isEqualTo("Downloading talk.mp3: [########] 100%  293.0 of 293.0 KiB  in 0:00");
    }

    @Test
    void onATerminalProgressIsARedrawnBar() {
        cli.terminal = true;
        Cli.Result r = cli.run("upload", "talk.mp4");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        // the same text as in a pipe, sizes read alike (1.4 MiB, not 1464/1464 KiB)
        assertThat(r.err()).containsPattern("\r[^\n]*Uploading talk\\.mp4: +\\[#{8}\\] 100%  1\\.4 of 1\\.4 MiB");
        assertThat(r.out()).doesNotContain("\r");
    }
}
