package dev.mp3conv.server.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The course system's client: {@code curl -F 'file=@video.mp4' …/upload}, then {@code …/download?fid=}. */
class SeedRoutesIT {
    private static final String CURL_BOUNDARY = "------------------------4ebf00fbcf09f2bd";

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private GatewayClient alice;
    private GatewayClient bob;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of());
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        bob = new GatewayClient(server.port(), ServerWithFakeAuth.BOB_TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void curlUploadThenDownload() throws Exception {
        byte[] video = GatewayClient.randomBytes(1_500_000, 1);
        String response = curlUpload(video);

        assertThat(response).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n");
        JobView job = Json.mapper().readValue(response.substring(response.indexOf("\r\n\r\n{") + 4), JobView.class);
        assertThat(job.state()).isEqualTo(JobState.QUEUED);
        assertThat(job.filename()).isEqualTo("video.mp4");
        assertThat(job.size()).isEqualTo(video.length);
        assertThat(job.sha256()).isEqualTo(GatewayClient.sha256(video));

        byte[] mp3 = GatewayClient.randomBytes(20_000, 2);
        String fid = new FakeConverter(server.backend()).convert(job.id(), mp3).mp3Fid();
        HttpResponse<byte[]> download = alice.get("/download?fid=" + fid);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(mp3);
        assertThat(download.headers().firstValue("Content-Type")).contains("audio/mpeg");

        assertThat(bob.get("/download?fid=" + fid).statusCode()).as("not yours").isEqualTo(404);
        assertThat(alice.get("/download?fid=" + new org.bson.types.ObjectId().toHexString()).statusCode()).isEqualTo(404);
        assertThat(alice.get("/download?fid=garbage").statusCode()).isEqualTo(404);
        HttpResponse<String> noFid = alice.getText("/download");
        assertThat(noFid.statusCode()).isEqualTo(400);
        assertThat(noFid.headers().firstValue("Content-Type")).contains(Problem.MEDIA_TYPE);
    }

    @Test
    void anyFieldNameIsTheFileButExactlyOneFileIsRequired() throws Exception {
        HttpResponse<String> other = alice.upload("/upload", new GatewayClient.Multipart()
                .file("video", "a.mp4", "video/mp4", new byte[] {1, 2}));
        assertThat(other.statusCode()).isEqualTo(200);

        HttpResponse<String> none = alice.upload("/upload", new GatewayClient.Multipart().field("name", "x"));
        HttpResponse<String> two = alice.upload("/upload", new GatewayClient.Multipart()
                .file("a", "a.mp4", "video/mp4", new byte[] {1})
                .file("b", "b.mp4", "video/mp4", new byte[] {2}));
        for (HttpResponse<String> res : java.util.List.of(none, two)) {
            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(Json.mapper().readValue(res.body(), Problem.class).detail()).isEqualTo("exactly 1 file required");
        }
        assertThat(StoredFiles.blobs(dataDir)).as("only the accepted upload's blob and sidecar").hasSize(2);
    }

    @Test
    void uploadWithoutTokenIs401() throws Exception {
        HttpResponse<String> res = new GatewayClient(server.port(), null).upload("/upload",
                new GatewayClient.Multipart().file("file", "a.mp4", "video/mp4", new byte[] {1}));
        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
    }

    /** The bytes curl 7.88 sends for {@code curl -X POST -F 'file=@./video.mp4' -H 'Authorization: Bearer …'}. */
    private String curlUpload(byte[] video) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + CURL_BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"video.mp4\""
                + "\r\nContent-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(video);
        body.writeBytes(("\r\n--" + CURL_BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUser-Agent: curl/7.88.1\r\n"
                + "Accept: */*\r\nAuthorization: Bearer " + ServerWithFakeAuth.ALICE_TOKEN + "\r\n"
                + "Content-Length: " + body.size() + "\r\n"
                + "Content-Type: multipart/form-data; boundary=" + CURL_BOUNDARY + "\r\n"
                + "Expect: 100-continue\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String interim = new String(in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length()), StandardCharsets.US_ASCII);
            out.write(body.toByteArray());
            out.flush();
            socket.shutdownOutput();
            return interim + RawHttp.readResponse(in);
        }
    }

}
