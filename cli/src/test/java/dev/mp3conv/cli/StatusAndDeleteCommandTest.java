package dev.mp3conv.cli;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class StatusAndDeleteCommandTest {
    @TempDir
    Path config;
    @TempDir
    Path work;

    FakeApi api;
    Cli cli;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        cli = new Cli(config, work).server(api.url());
        cli.loggedIn(api, "ann@example.com");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void listsJobsAsATableNewestFirst() {
        api.script = List.of(JobState.DONE);
        FakeApi.Job old = api.addJob("ann@example.com", "old.mp4", 3 * 1024 * 1024, 180);
        FakeApi.Job recent = api.addJob("ann@example.com", "recent.mp4", 2048, 5);
        api.addJob("bob@example.com", "not-mine.mp4", 1, 1);
        Cli.Result r = cli.run("status");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("ID +FILE +STATE +PROGRESS +SIZE +AGE +EXPIRES");
        assertThat(lines.get(1)).matches(recent.id + " +recent\\.mp4 +DONE +100% +2\\.0 KiB +5m +in 6d");
        assertThat(lines.get(2)).matches(old.id + " +old\\.mp4 +DONE +100% +3\\.0 MiB +3h +in 6d");
        assertThat(r.out()).doesNotContain("not-mine");
    }

    @Test
    void listJsonIsTheApisJson() throws Exception {
        FakeApi.Job job = api.addJob("ann@example.com", "a.mp4", 10, 1);
        Cli.Result r = cli.run("status", "--json");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode page = Json.mapper().readTree(r.out());
        assertThat(page.get("items").get(0).get("id").asText()).isEqualTo(job.id);
        assertThat(page.get("items").get(0).get("state").asText()).isEqualTo("QUEUED");
    }

    @Test
    void listPagesWithLimitAndCursor() {
        for (int i = 0; i < 3; i++) {
            api.addJob("ann@example.com", "v" + i + ".mp4", 10, 10 - i);
        }
        Cli.Result first = cli.run("status", "--limit", "2");
        assertThat(first.out().lines().toList()).as("header, two jobs, nothing else on stdout").hasSize(3)
                .noneMatch(line -> line.contains("More"));
        assertThat(first.err()).isEqualTo("More: mp3conv status --cursor 2\n");
        assertThat(api.requests("GET", "/api/v1/jobs").get(0).query()).isEqualTo("limit=2");

        Cli.Result second = cli.run("status", "--limit", "2", "--cursor", "2");
        assertThat(second.out()).contains("v0.mp4").doesNotContain("v2.mp4").doesNotContain("More:");
        assertThat(second.err()).isEmpty();
    }

    @Test
    void noJobsSaysHowToStart() {
        Cli.Result r = cli.run("status");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("No jobs yet. Convert a video with: mp3conv upload VIDEO --wait\n");
    }

    @Test
    void oneJobInDetailAndAsJson() throws Exception {
        api.script = List.of(JobState.FAILED);
        FakeApi.Job job = api.addJob("ann@example.com", "silent.mp4", 4096, 2);
        Cli.Result r = cli.run("status", job.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("ID       " + job.id + "\n")
                .contains("File     silent.mp4 (4.0 KiB)\n")
                .contains("State    FAILED 50%\n")
                .contains("Error    no-audio: the video has no audio stream\n")
                .contains("(2m ago)");

        Cli.Result json = cli.run("status", job.id, "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode node = Json.mapper().readTree(json.out());
        assertThat(node.get("error").get("code").asText()).isEqualTo("no-audio");
        assertThat(node.get("created_at").asText()).isEqualTo("2026-11-30T11:58:00Z");
    }

    @Test
    void oneFinishedJobSaysWhenItsVideoAndMp3AreDeleted() {
        api.script = List.of(JobState.DONE);
        FakeApi.Job recent = api.addJob("ann@example.com", "recent.mp4", 10, 5);
        FakeApi.Job old = api.addJob("ann@example.com", "old.mp4", 10, 90);

        assertThat(cli.run("status", recent.id).out())
                .contains("Video    kept until 2026-11-30T12:55:00Z (in 55m)\n")
                .contains("Expires  2026-12-07T11:55:00Z (in 6d)\n");
        assertThat(cli.run("status", old.id).out())
                .contains("Video    deleted at 2026-11-30T11:30:00Z (30m ago)\n");
    }

    @Test
    void watchFollowsUntilDone() {
        FakeApi.Job job = api.addJob("ann@example.com", "a.mp4", 10, 1);
        Cli.Result r = cli.run("status", job.id, "--watch");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("State    DONE 100%").contains("MP3      293.0 KiB  (mp3conv download " + job.id + ")");
        assertThat(r.err()).containsPattern("Converting a\\.mp4: +\\[####----\\]  50%  CONVERTING");
    }

    @Test
    void watchOfAFailingJobExits4() {
        api.script = List.of(JobState.QUEUED, JobState.CONVERTING, JobState.FAILED);
        FakeApi.Job job = api.addJob("ann@example.com", "a.mp4", 10, 1);
        Cli.Result r = cli.run("status", job.id, "--watch");

        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.out()).contains("State    FAILED");
    }

    @Test
    void watchOfTheListStopsWhenAllJobsAreFinished() {
        api.addJob("ann@example.com", "a.mp4", 10, 1);
        Cli.Result r = cli.run("status", "--watch");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("ID ")).count()).isEqualTo(3);
        assertThat(r.out()).containsSubsequence("QUEUED", "CONVERTING", "DONE");
        assertThat(api.requests("GET", "/api/v1/jobs")).hasSize(3);
    }

    @Test
    void unknownOrOthersJobIsNotFound() {
        FakeApi.Job bobs = api.addJob("bob@example.com", "b.mp4", 1, 1);
        Cli.Result r = cli.run("status", bobs.id);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: no job " + bobs.id + "\n");
    }

    @Test
    void deleteRemovesJobs() {
        FakeApi.Job a = api.addJob("ann@example.com", "a.mp4", 1, 1);
        FakeApi.Job b = api.addJob("ann@example.com", "b.mp4", 1, 1);
        Cli.Result r = cli.run("delete", a.id, b.id);

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Deleted " + a.id + "\nDeleted " + b.id + "\n");
        assertThat(api.jobs).isEmpty();
    }

    @Test
    void deleteOfAnUnknownJobIsNotFound() {
        Cli.Result r = cli.run("delete", "nope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("mp3conv: no job nope\n");
    }
}
