package dev.mp3conv.server;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.GridFsBlobStore;
import dev.mp3conv.server.testing.MemoryMongo;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The single-machine stack as a newcomer gets it: all roles, embedded store, in-process queue.
 */
class EmbeddedStackIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Mp3convServer start(Map<String, String> extra) {
        Map<String, String> config = new java.util.HashMap<>(Map.of(
                "app.data-dir", dataDir.toString(), "server.port", "0", "admin.port", "0",
                "server.host", "127.0.0.1", "admin.host", "127.0.0.1"));
        config.putAll(extra);
        return Mp3convServer.start(Settings.load(Map.of(), config));
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsWithAllRolesAndReportsHealthOnTheAdminSocket() throws Exception {
        try (Mp3convServer server = start(Map.of())) {
            assertThat(server.backend().roles()).containsExactlyInAnyOrder(Role.values());
            assertThat(server.backend().embedded()).isTrue();

            HttpResponse<String> health = get(server.adminPort(), "/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode body = Json.mapper().readTree(health.body());
            assertThat(body.get("status").asText()).isEqualTo("UP");
            assertThat(body.get("checks").findValuesAsText("name")).contains("store", "queue");
            assertThat(get(server.adminPort(), "/observe/health/ready").statusCode()).isEqualTo(200);
            assertThat(get(server.adminPort(), "/observe/health/live").statusCode()).isEqualTo(200);

            HttpResponse<String> metrics = get(server.adminPort(), "/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("mp3conv_queue_consumers");

            assertThat(get(server.port(), "/observe/health").statusCode())
                    .as("observability is not on the public socket").isEqualTo(404);
        }
    }

    @Test
    void readinessGoesDownWhenTheQueueIsGone() throws Exception {
        try (Mp3convServer server = start(Map.of())) {
            server.backend().queue().close();
            HttpResponse<String> ready = get(server.adminPort(), "/observe/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(get(server.adminPort(), "/observe/health/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unknownRoutesAnswerProblemJson() throws Exception {
        try (Mp3convServer server = start(Map.of())) {
            HttpResponse<String> response = get(server.port(), "/no/such/thing");
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
            JsonNode problem = Json.mapper().readTree(response.body());
            assertThat(problem.get("status").asInt()).isEqualTo(404);
            assertThat(problem.get("instance").asText()).isEqualTo("/no/such/thing");
        }
    }

    @Test
    void dataWrittenThroughTheStoresSurvivesARestart() throws Exception {
        String jobId = new ObjectId().toHexString();
        BlobInfo blob;
        try (Mp3convServer first = start(Map.of("app.roles", "auth"))) {
            blob = first.backend().blobs().write(new BlobMetadata("u1", jobId, "video/mp4", "a.mp4"),
                    new ByteArrayInputStream("persistent bytes".getBytes(StandardCharsets.UTF_8)));
            first.backend().jobs().insert(Job.queued(jobId, "u1", "u1@example.com", "a.mp4", "video/mp4", 16,
                    "00", blob.id(), "192k", null, first.backend().jobs().now()));
        }
        try (Mp3convServer second = start(Map.of("app.roles", "auth"))) {
            Job job = second.backend().jobs().find(jobId).orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.QUEUED);
            assertThat(job.videoFid()).isEqualTo(blob.id());
            try (InputStream in = second.backend().blobs().open(blob.id())) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("persistent bytes");
            }
        }
    }

    @Test
    void withMongoDbUriMetadataAndBlobsGoToMongoDb() throws Exception {
        try (MemoryMongo mongo = MemoryMongo.start("cluster");
             Mp3convServer server = start(Map.of("mongodb.uri", mongo.uri(), "mongodb.database", "cluster"))) {
            assertThat(server.backend().embedded()).isFalse();
            assertThat(server.backend().blobs()).isInstanceOf(GridFsBlobStore.class);
            BlobInfo blob = server.backend().blobs().write(new BlobMetadata("u1", "j1", "audio/mpeg", "a.mp3"),
                    new ByteArrayInputStream(new byte[] {1, 2, 3}));
            assertThat(mongo.collection("fs.files").countDocuments(new org.bson.Document())).isEqualTo(1L);
            assertThat(server.backend().blobs().info(blob.id())).isPresent();
            assertThat(dataDir.resolve("metadata")).as("no embedded store was started").doesNotExist();
        }
    }

    @Test
    void unknownRoleFailsWithOneClearLine() {
        assertThatThrownBy(() -> start(Map.of("app.roles", "auth,transcoder")))
                .isInstanceOf(StartupException.class)
                .hasMessage("unknown role 'transcoder' in APP_ROLES (app.roles); expected a comma list of "
                        + "auth, gateway, converter, notifier");
    }

    @Test
    void unreachableMongoDbFailsFastWithOneClearLineWithoutTheCredentials() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> start(Map.of("mongodb.uri", "mongodb://app:s3cret@127.0.0.1:1/db",
                "mongodb.timeout", "1s")))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("cannot reach MongoDB at mongodb://127.0.0.1:1/")
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryIsRefusedClearly() {
        try (Mp3convServer first = start(Map.of("app.roles", "auth"))) {
            assertThatThrownBy(() -> start(Map.of("app.roles", "auth")))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("is in use");
            assertThat(first.backend().mongo().reachable()).isTrue();
        }
    }
}
