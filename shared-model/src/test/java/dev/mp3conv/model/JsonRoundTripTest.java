package dev.mp3conv.model;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonRoundTripTest {
    private final ObjectMapper json = Json.mapper();

    private <T> T roundTrip(T value, Class<T> type) throws Exception {
        return json.readValue(json.writeValueAsString(value), type);
    }

    @Test
    void jobViewUsesSnakeCaseAndIsoInstants() throws Exception {
        JobView job = new JobView("6650f0c2a1b2c3d4e5f60718", "talk.mp4", "video/mp4", 1234, "ab12",
                JobState.DONE, 1.0, 61.5, "v1", "m1", 999L, "ab".repeat(32), "192k", null, -16.0, 90.0, 2700.5, true, "mono", 44100, "Talk", "Ada",
                new LoudnessReport(-24.5, -3.25, 8.5, false, -16.1, -2.0), 1, null,
                Instant.parse("2026-11-30T10:15:30Z"), Instant.parse("2026-11-30T10:16:00Z"),
                Instant.parse("2026-12-07T10:16:00Z"), Instant.parse("2026-12-01T10:16:00Z"),
                new JobStreaming(JobStreaming.STREAMING, "matroska", "Matroska/WebM is read front to back", 0.5));

        JsonNode tree = json.valueToTree(job);
        assertThat(tree.get("content_type").asText()).isEqualTo("video/mp4");
        assertThat(tree.get("mp3_fid").asText()).isEqualTo("m1");
        assertThat(tree.get("mp3_sha256").asText()).isEqualTo("ab".repeat(32));
        assertThat(tree.get("duration_seconds").asDouble()).isEqualTo(61.5);
        assertThat(tree.get("created_at").asText()).isEqualTo("2026-11-30T10:15:30Z");
        assertThat(tree.get("state").asText()).isEqualTo("DONE");
        assertThat(tree.has("quality")).as("absent fields are left out").isFalse();
        assertThat(tree.get("expires_at").asText()).isEqualTo("2026-12-07T10:16:00Z");
        assertThat(tree.get("video_expires_at").asText()).isEqualTo("2026-12-01T10:16:00Z");
        assertThat(tree.get("sample_rate").asInt()).isEqualTo(44100);
        assertThat(tree.get("end").asDouble()).isEqualTo(2700.5);
        assertThat(tree.get("measured_loudness").get("input_lufs").asDouble()).isEqualTo(-24.5);
        assertThat(tree.get("measured_loudness").get("output_true_peak_dbtp").asDouble()).isEqualTo(-2.0);
        assertThat(tree.at("/streaming/conversion_progress").asDouble()).isEqualTo(0.5);
        assertThat(roundTrip(job, JobView.class)).isEqualTo(job);
    }

    @Test
    void jobMessageIsASupersetOfTheCourseSystemMessage() throws Exception {
        // exactly what the course system's gateway publishes
        String seed = "{\"video_fid\": \"v1\", \"mp3_fid\": null, \"username\": \"a@b.c\"}";
        JobMessage parsed = json.readValue(seed, JobMessage.class);
        assertThat(parsed).isEqualTo(new JobMessage(null, "v1", null, "a@b.c"));

        JobMessage ours = new JobMessage("j1", "v1", "m1", "a@b.c");
        JsonNode tree = json.valueToTree(ours);
        assertThat(tree.fieldNames()).toIterable().containsExactlyInAnyOrder("job_id", "video_fid", "mp3_fid", "username");
        assertThat(roundTrip(ours, JobMessage.class)).isEqualTo(ours);

        JobMessage segment = ours.forSegment(3);
        assertThat(json.valueToTree(segment).get("segment").asInt()).isEqualTo(3);
        assertThat(roundTrip(segment, JobMessage.class)).isEqualTo(segment);
        assertThat(json.readValue("{\"job_id\": \"j1\", \"segment\": 0}", JobMessage.class).segment()).isZero();
    }

    @Test
    void tokenResponseHasOAuthFieldNamesAndHidesTheTokenInToString() throws Exception {
        TokenResponse token = TokenResponse.bearer("eyJ.x.y", 3600);
        JsonNode tree = json.valueToTree(token);
        assertThat(tree.get("access_token").asText()).isEqualTo("eyJ.x.y");
        assertThat(tree.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(tree.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(roundTrip(token, TokenResponse.class)).isEqualTo(token);
        assertThat(token.toString()).doesNotContain("eyJ");
        assertThat(new Credentials("a@b.c", "secret-password").toString()).doesNotContain("secret-password");
    }

    @Test
    void problemLeavesOutAbsentMembers() throws Exception {
        Problem problem = Problem.of(404, "Not Found", "no such job").withInstance("/api/v1/jobs/x");
        JsonNode tree = json.valueToTree(problem);
        assertThat(tree.fieldNames()).toIterable().containsExactly("type", "title", "status", "detail", "instance");
        assertThat(roundTrip(problem, Problem.class)).isEqualTo(problem);
        assertThat(json.valueToTree(Problem.of(400, "Bad Request", null)).has("detail")).isFalse();
    }

    @Test
    void pagesEventsAndUsersRoundTrip() throws Exception {
        JobView item = new JobView("j", "a.mp4", "video/mp4", 1, "00", JobState.FAILED, 0.2, null, "v", null,
                null, null, null, 2, 3, new JobError("no-audio", "the file has no audio stream"),
                Instant.EPOCH, Instant.EPOCH, null, null, null);
        JobPage page = new JobPage(List.of(item), "cursor");
        assertThat(json.valueToTree(page).has("next_cursor")).isTrue();
        assertThat(roundTrip(page, JobPage.class)).isEqualTo(page);

        JobEvent event = new JobEvent("j", JobState.CONVERTING, 0.5, null);
        assertThat(json.valueToTree(event).get("job_id").asText()).isEqualTo("j");
        assertThat(roundTrip(event, JobEvent.class)).isEqualTo(event);

        UserView user = new UserView("u", "a@b.c", true, Instant.EPOCH, 5, 10L);
        assertThat(roundTrip(user, UserView.class)).isEqualTo(user);
        assertThat(JobState.DONE.terminal()).isTrue();
        assertThat(JobState.CONVERTING.terminal()).isFalse();
    }
}
