package dev.mp3conv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class DownloadCommandTest {
    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;
    Cli cli;
    FakeApi.Job job;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        api.script = List.of(JobState.DONE);
        cli = new Cli(config, work).server(api.url());
        cli.loggedIn(api, "ann@example.com");
        job = api.addJob("ann@example.com", "My Talk.final.mp4", 5000, 3);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void downloadsIntoTheWorkingDirectoryUnderTheVideosName() throws Exception {
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path mp3 = work.resolve("My Talk.final.mp3");
        assertThat(r.out()).isEqualTo(mp3 + "\n");
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).singleElement()
                .satisfies(q -> assertThat(q.header("Range")).isNull());
    }

    @Test
    void downloadsIntoADirectoryOrAFileName() throws Exception {
        Path dir = Files.createDirectory(work.resolve("music"));
        assertThat(cli.run("download", job.id, "-o", "music").exitCode()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("My Talk.final.mp3"))).isEqualTo(job.mp3);

        Cli.Result named = cli.run("download", job.id, "-o", "music/renamed.mp3", "--json");
        assertThat(named.exitCode()).as(named.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("renamed.mp3"))).isEqualTo(job.mp3);
        assertThat(Json.mapper().readTree(named.out()).get("size").asLong()).isEqualTo(FakeApi.MP3_SIZE);
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        Path mp3 = Files.writeString(work.resolve("My Talk.final.mp3"), "keep me");
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: " + mp3 + " already exists; use --force to overwrite it\n");
        assertThat(mp3).hasContent("keep me");
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).isEmpty();

        Cli.Result forced = cli.run("download", job.id, "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
    }

    @Test
    void resumesAPartialDownloadWithRange() throws Exception {
        Path mp3 = work.resolve("My Talk.final.mp3");
        Files.write(Downloader.partFile(mp3, job.id), Arrays.copyOf(job.mp3, 100_000));
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).singleElement()
                .satisfies(q -> assertThat(q.header("Range")).isEqualTo("bytes=100000-"));
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
        assertThat(Downloader.partFile(mp3, job.id)).doesNotExist();
    }

    @Test
    void anInterruptedDownloadLeavesOnlyThePartFileAndResumes() throws Exception {
        api.cutNextDownloadAfter = 120_000;
        Path mp3 = work.resolve("My Talk.final.mp3");
        Cli.Result cut = cli.run("download", job.id);

        assertThat(cut.exitCode()).isEqualTo(1);
        assertThat(cut.err().lines().filter(l -> l.startsWith("mp3conv: ")).toList()).singleElement().asString()
                .contains("download interrupted").contains("run the same command again to resume");
        assertThat(mp3).doesNotExist();
        long kept = Files.size(Downloader.partFile(mp3, job.id));
        assertThat(kept).isPositive().isLessThan(FakeApi.MP3_SIZE);

        Cli.Result resumed = cli.run("download", job.id);
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).last()
                .satisfies(q -> assertThat(q.header("Range")).isEqualTo("bytes=" + kept + "-"));
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
    }

    @Test
    void aPartFileOfAnotherJobIsNotResumed() throws Exception {
        Path mp3 = work.resolve("My Talk.final.mp3");
        Files.write(Downloader.partFile(mp3, "another-job"), new byte[1000]);
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).singleElement()
                .satisfies(q -> assertThat(q.header("Range")).isNull());
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
    }

    @Test
    void aPartFileLongerThanTheMp3StartsOver() throws Exception {
        Path mp3 = work.resolve("My Talk.final.mp3");
        Files.write(Downloader.partFile(mp3, job.id), new byte[FakeApi.MP3_SIZE + 10]);
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
    }

    @Test
    void unfinishedJobIsAnErrorAndFailedJobExits4() {
        api.script = List.of(JobState.CONVERTING);
        Cli.Result busy = cli.run("download", job.id);
        assertThat(busy.exitCode()).isEqualTo(1);
        assertThat(busy.err()).isEqualTo("mp3conv: job " + job.id + " is not done yet (CONVERTING 50%); wait with `mp3conv status "
                + job.id + " --watch`\n");

        api.script = List.of(JobState.FAILED);
        Cli.Result failed = cli.run("download", job.id);
        assertThat(failed.exitCode()).isEqualTo(4);
        assertThat(failed.err()).isEqualTo("mp3conv: job " + job.id + " failed: the video has no audio stream\n");
        assertThat(work.resolve("My Talk.final.mp3")).doesNotExist();
    }

    @Test
    void unknownJobIsNotFound() {
        Cli.Result r = cli.run("download", "nope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: no job nope\n");
    }

    @Test
    void aTrailingSlashMeansADirectoryAndCreatesIt() throws Exception {
        Cli.Result r = cli.run("download", job.id, "-o", "Music/");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        Path saved = work.resolve("Music").resolve("My Talk.final.mp3");
        assertThat(Files.readAllBytes(saved)).isEqualTo(job.mp3);
        assertThat(r.out()).isEqualTo(saved + "\n");

        Files.writeString(work.resolve("notes"), "x");
        Cli.Result file = cli.run("download", job.id, "-o", "notes/");
        assertThat(file.exitCode()).isEqualTo(1);
        assertThat(file.err()).isEqualTo("mp3conv: notes/: not a directory\n");
        assertThat(Files.readString(work.resolve("notes"))).isEqualTo("x");
    }

    @Test
    void aResumedPartThatIsNotTheMp3sBeginningFailsTheDigestAndStartsOver() throws Exception {
        Path mp3 = work.resolve("My Talk.final.mp3");
        // what the issue saw: a .part overwritten with zeros, "resumed" into a broken MP3
        Files.write(Downloader.partFile(mp3, job.id), new byte[100_000]);
        Cli.Result r = cli.run("download", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("does not match the server's SHA-256").contains("downloading it again");
        assertThat(api.requests("GET", "/api/v1/jobs/" + job.id + "/mp3")).extracting(q -> q.header("Range"))
                .containsExactly("bytes=100000-", null);
        assertThat(Files.readAllBytes(mp3)).isEqualTo(job.mp3);
        assertThat(Downloader.partFile(mp3, job.id)).doesNotExist();
    }

    @Test
    void missingOutputDirectoryIsAnError() {
        Cli.Result r = cli.run("download", job.id, "-o", "no/such/dir/x.mp3");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: no/such/dir/x.mp3: no such directory\n");
    }
}
