package dev.mp3conv.server.converter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.mongodb.client.model.Filters;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * With GridFS blobs (no local files) ffmpeg reads the video from the loopback range endpoint: an MP4
 * whose index sits at the end converts (it needs seeking), and no error message leaks the URL.
 */
class GridFsInputIT {
    @TempDir
    Path dir;
    private MongoServer mongo;
    private ConverterTestServer server;

    @BeforeEach
    void start() {
        MemoryBackend backend = new MemoryBackend();
        backend.version(ServerVersion.MONGO_5_0);
        mongo = new MongoServer(backend);
        int port = mongo.bind().getPort();
        server = new ConverterTestServer(dir.resolve("data"), Map.of("mongodb.uri", "mongodb://127.0.0.1:" + port));
    }

    @AfterEach
    void stop() {
        server.close();
        mongo.shutdownNow();
    }

    @Test
    void convertsFromTheLoopbackRangeEndpoint() throws Exception {
        Path samples = Files.createDirectories(dir.resolve("samples"));
        assertThat(server.server().backend().blobs().localFile("0".repeat(24))).isEmpty();

        Job job = server.awaitFinished(server.submit(MediaSamples.mp4MoovAtEnd(samples), null, null));
        Job random = server.awaitFinished(server.submit(MediaSamples.randomBytes(samples), null, null));

        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        assertThat(MediaSamples.probe(server.mp3File(job)).path("format").path("duration").asDouble())
                .isCloseTo(MediaSamples.SECONDS, within(0.1));
        long mp3Files = server.server().backend().mongo().collection("fs.files")
                .countDocuments(Filters.and(Filters.eq("metadata.job_id", job.id()),
                        Filters.eq("metadata.content_type", "audio/mpeg")));
        assertThat(mp3Files).isEqualTo(1);
        assertThat(random.state()).isEqualTo(JobState.FAILED);
        assertThat(random.error().code()).isEqualTo("invalid-media");
        assertThat(random.error().message()).doesNotContain("127.0.0.1").doesNotContain("/media/");
    }
}
