package dev.mp3conv.server.notify;

import java.time.Instant;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobMailTest {
    private static final String ID = "65f0c0ffee0000000000abcd";

    private static Job job(JobState state, String filename, Long mp3Size, Double duration, JobError error) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new Job(ID, "u1", "a@example.test", filename, "video/mp4", 10, "00", "v1", state, 1, null, null, 1.0,
                duration, state == JobState.DONE ? "m1" : null, mp3Size, null, "192k", null, error, now, now, null, null, null,
                now, now, null, null, null, null, null, null);
    }

    @Test
    void aDoneMailNamesTheFileTheCommandAndTheApiUrl() {
        JobMail mail = JobMail.of(job(JobState.DONE, "talk.mp4", 5_242_880L, 3723.4, null), "https://mp3.example.test/");

        assertThat(mail.subject()).isEqualTo("Your MP3 of talk.mp4 is ready");
        assertThat(mail.text()).contains("Job: " + ID, "File: talk.mp4", "MP3 fid: m1", "MP3 size: 5.0 MiB (5242880 bytes)",
                "Duration: 1:02:03", "    mp3conv download " + ID, "https://mp3.example.test/api/v1/jobs/" + ID + "/mp3");
        assertThat(mail.html()).contains("<pre>mp3conv download " + ID + "</pre>")
                .contains("href=\"https://mp3.example.test/api/v1/jobs/" + ID + "/mp3\"");
    }

    @Test
    void aFailedMailGivesTheReasonAndNoDownloadCommand() {
        JobMail mail = JobMail.of(job(JobState.FAILED, "silent.mov", null, null,
                new JobError("no-audio", "the video has no audio stream")), "http://localhost:8080");

        assertThat(mail.subject()).isEqualTo("Converting silent.mov failed");
        assertThat(mail.text()).contains("failed: the video has no audio stream")
                .doesNotContain("mp3conv download").doesNotContain("MP3 size");
    }

    @Test
    void aHostileFileNameCannotBreakTheSubjectOrTheHtml() {
        JobMail mail = JobMail.of(job(JobState.DONE, "a\r\nBcc: x@evil.test<script>.mp4", 10L, 1.0, null), "http://h");

        assertThat(mail.subject()).doesNotContain("\r", "\n");
        assertThat(mail.html()).doesNotContain("<script>").contains("&lt;script&gt;");
    }
}
