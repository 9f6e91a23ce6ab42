package dev.mp3conv.server.gateway;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The gateway on GridFS blobs (MONGODB_URI set), against mongo-java-server's memory backend. */
class GridFsGatewayIT {
    @TempDir
    Path dataDir;

    private MongoServer mongoServer;
    private Mp3convServer server;
    private GatewayClient alice;

    @BeforeEach
    void start() {
        mongoServer = new MongoServer(new MemoryBackend());
        var address = mongoServer.bind();
        server = ServerWithFakeAuth.start(dataDir, Map.of(
                "mongodb.uri", "mongodb://127.0.0.1:" + address.getPort(),
                "mongodb.database", "gateway-it",
                "gateway.max-upload-size", "4m"));
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
        mongoServer.shutdownNow();
    }

    @Test
    void aTusUploadMovesBetweenTwoGatewayReplicasAndItsPartialChunksSurvive(@org.junit.jupiter.api.io.TempDir Path other)
            throws Exception {
        Mp3convServer replica = ServerWithFakeAuth.start(other, Map.of(
                "mongodb.uri", "mongodb://127.0.0.1:" + mongoServer.getLocalAddress().getPort(),
                "mongodb.database", "gateway-it",
                "gateway.max-upload-size", "4m"));
        try {
            byte[] video = GatewayClient.randomBytes(3 * 1024 * 1024 + 17, 3);
            TusHttp a = new TusHttp(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
            TusHttp b = new TusHttp(replica.port(), ServerWithFakeAuth.ALICE_TOKEN);
            String location = a.created(video.length, "filename", "replicas.mp4");
            // ends inside GridFS chunk 0, then inside chunk 2, then the rest: each PATCH on the other replica
            int[] cuts = {700_000, 2_500_000, video.length};
            TusHttp[] replicas = {a, b, a};
            long offset = 0;
            for (int i = 0; i < cuts.length; i++) {
                assertThat(replicas[i].offset(location)).isEqualTo(offset);
                HttpResponse<String> res = replicas[i].patch(location, offset,
                        Arrays.copyOfRange(video, (int) offset, cuts[i]));
                assertThat(res.statusCode()).isEqualTo(204);
                offset = cuts[i];
            }
            String id = location.substring(location.lastIndexOf('/') + 1);
            var job = replica.backend().jobs().find(id).orElseThrow();
            assertThat(job.state()).isEqualTo(dev.mp3conv.model.JobState.QUEUED);
            assertThat(job.sha256()).isEqualTo(GatewayClient.sha256(video));
            try (var in = replica.backend().blobs().open(job.videoFid())) {
                assertThat(in.readAllBytes()).isEqualTo(video);
            }
        } finally {
            replica.close();
        }
    }

    @Test
    void uploadAcrossChunksAndRangeDownload() throws Exception {
        byte[] video = GatewayClient.randomBytes(3 * 1024 * 1024 + 17, 1);
        JobView job = alice.uploadJob("clip.mp4", video);
        assertThat(job.sha256()).isEqualTo(GatewayClient.sha256(video));
        try (var in = server.backend().blobs().open(job.videoFid())) {
            assertThat(in.readAllBytes()).isEqualTo(video);
        }

        byte[] mp3 = GatewayClient.randomBytes(2 * 1024 * 1024 + 5, 2);
        new FakeConverter(server.backend()).convert(job.id(), mp3);
        int from = 1024 * 1024 - 10;
        HttpResponse<byte[]> range = alice.get("/api/v1/jobs/" + job.id() + "/mp3", "Range", "bytes=" + from + "-" + (from + 99));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(mp3, from, from + 100));
        assertThat(alice.get("/api/v1/jobs/" + job.id() + "/mp3").body()).isEqualTo(mp3);
    }

    @Test
    void oversizeAndInterruptedUploadsLeaveNoChunks() throws Exception {
        HttpResponse<String> big = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "big.mp4", "video/mp4", GatewayClient.randomBytes(4 * 1024 * 1024 + 1, 3)));
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(chunks()).isZero();

        byte[] body = new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(3 * 1024 * 1024, 4)).bytes();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + ServerWithFakeAuth.ALICE_TOKEN + "\r\nContent-Type: multipart/form-data; boundary="
                    + GatewayClient.BOUNDARY + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 2 * 1024 * 1024 + 1000);
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> chunks() > 0);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> chunks() == 0);
        assertThat(database().collection("fs.files").find().list()).isEmpty();
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).isEmpty();
    }

    private dev.mp3conv.server.storage.Mongo database() {
        return server.backend().mongo();
    }

    private long chunks() {
        return database().collection("fs.chunks").countDocuments(new Document());
    }
}
