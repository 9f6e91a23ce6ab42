package dev.mp3conv.server.gateway;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP details of the job and download routes that clients rely on: HEAD, 304, the MP3's digest,
 * the seed download by job id, 401 challenges, empty uploads.
 */
class HttpDetailsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private GatewayClient alice;
    private FakeConverter converter;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of());
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        converter = new FakeConverter(server.backend());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Job doneJob(byte[] mp3) throws Exception {
        JobView job = alice.uploadJob("talk.mp4", GatewayClient.randomBytes(5000, 7));
        return converter.convert(job.id(), mp3);
    }

    private HttpResponse<byte[]> head(String path) throws Exception {
        return HTTP.send(alice.request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String reprDigest(byte[] bytes) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(GatewayClient.sha256(bytes))) + ":";
    }

    @Test
    void headOfTheJobAndOfItsMp3AnswersTheHeadersOfTheGetWithoutABody() throws Exception {
        byte[] mp3 = GatewayClient.randomBytes(30_000, 8);
        Job job = doneJob(mp3);

        HttpResponse<byte[]> getJob = alice.get("/api/v1/jobs/" + job.id());
        HttpResponse<byte[]> headJob = head("/api/v1/jobs/" + job.id());
        assertThat(headJob.statusCode()).isEqualTo(200);
        assertThat(headJob.body()).isEmpty();
        assertThat(headJob.headers().firstValue("Content-Type")).isEqualTo(getJob.headers().firstValue("Content-Type"));
        assertThat(headJob.headers().firstValueAsLong("Content-Length")).hasValue(getJob.body().length);

        HttpResponse<byte[]> headMp3 = head("/api/v1/jobs/" + job.id() + "/mp3");
        assertThat(headMp3.statusCode()).isEqualTo(200);
        assertThat(headMp3.body()).isEmpty();
        assertThat(headMp3.headers().firstValueAsLong("Content-Length")).hasValue(mp3.length);
        assertThat(headMp3.headers().firstValue("Content-Type")).hasValue("audio/mpeg");
        assertThat(headMp3.headers().firstValue("ETag")).hasValue("\"" + job.mp3Fid() + "\"");
        assertThat(headMp3.headers().firstValue("Repr-Digest")).hasValue(reprDigest(mp3));

        HttpResponse<byte[]> missing = head("/api/v1/jobs/" + "0".repeat(24));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).as("a problem answering a HEAD has no body either").isEmpty();
        // the connection is still in step: the next answer on it is the right one
        assertThat(alice.get("/api/v1/jobs/" + job.id()).body()).isEqualTo(getJob.body());
        assertThat(head("/download?fid=" + job.mp3Fid()).headers().firstValueAsLong("Content-Length"))
                .hasValue(mp3.length);
    }

    @Test
    void theMp3CarriesTheSha256OfTheWholeMp3AlsoOnARange() throws Exception {
        byte[] mp3 = GatewayClient.randomBytes(40_000, 9);
        Job job = doneJob(mp3);
        assertThat(job.mp3Sha256()).isEqualTo(GatewayClient.sha256(mp3));
        JobView view = Json.mapper().readValue(alice.get("/api/v1/jobs/" + job.id()).body(), JobView.class);
        assertThat(view.mp3Sha256()).isEqualTo(GatewayClient.sha256(mp3));

        HttpResponse<byte[]> whole = alice.get("/api/v1/jobs/" + job.id() + "/mp3");
        HttpResponse<byte[]> tail = alice.get("/api/v1/jobs/" + job.id() + "/mp3", "Range", "bytes=1000-");
        assertThat(whole.headers().firstValue("Repr-Digest")).hasValue(reprDigest(mp3));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("Repr-Digest")).hasValue(reprDigest(mp3));
    }

    @Test
    void aNotModifiedAnswerCarriesTheValidatorsAndNoBody() throws Exception {
        Job job = doneJob(GatewayClient.randomBytes(1000, 10));
        HttpResponse<byte[]> res = alice.get("/api/v1/jobs/" + job.id() + "/mp3", "If-None-Match", "\"" + job.mp3Fid() + "\"");

        assertThat(res.statusCode()).isEqualTo(304);
        // Content-Length and the connection afterwards: aNotModifiedAnswerHasNoBodyAndLeavesTheKeepAliveConnectionInStep
        assertThat(res.headers().firstValue("ETag")).hasValue("\"" + job.mp3Fid() + "\"");
        assertThat(res.headers().firstValue("Repr-Digest")).isPresent();
        assertThat(res.body()).isEmpty();
    }

    @Test
    void aNotModifiedAnswerHasNoBodyAndLeavesTheKeepAliveConnectionInStep() throws Exception {
        byte[] mp3 = GatewayClient.randomBytes(3000, 12);
        Job job = doneJob(mp3);
        String etag = "\"" + job.mp3Fid() + "\"";
        for (String path : List.of("/api/v1/jobs/" + job.id() + "/mp3", "/download?fid=" + job.id())) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        + ServerWithFakeAuth.ALICE_TOKEN + "\r\n";
                // both requests at once: any body byte after the 304 would be read as the next answer
                socket.getOutputStream().write((request + "If-None-Match: " + etag + "\r\n\r\n" + request + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();

                String notModified = RawHttp.readHead(in);
                assertThat(notModified).as(path).startsWith("HTTP/1.1 304 ").containsIgnoringCase("\r\nETag: " + etag + "\r\n")
                        .doesNotContainIgnoringCase("Transfer-Encoding").doesNotContainIgnoringCase("Connection: close");
                // RFC 9110 §8.6 allows none or the MP3's length; Helidon 4.5.0 forces 0 (see Mp3Download)
                assertThat(headerValue(notModified, "Content-Length")).as(path).isIn(null, "0", String.valueOf(mp3.length));

                String ok = RawHttp.readHead(in);
                assertThat(ok).as(path).startsWith("HTTP/1.1 200 ");
                assertThat(headerValue(ok, "Content-Length")).isEqualTo(String.valueOf(mp3.length));
                assertThat(in.readNBytes(mp3.length)).as(path).isEqualTo(mp3);
            }
        }
    }

    @Test
    void aRefusedUploadOfAFewMegabytesIsAnsweredWholeAndItsConnectionServesTheNextRequest() throws Exception {
        byte[] body = GatewayClient.randomBytes(2 * 1024 * 1024, 13);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(uploadHead("not-a-token", body.length));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 401 ").contains("application/problem+json")
                    .doesNotContainIgnoringCase("Connection: close");
            // a client that does not wait for an early answer goes on sending its body
            out.write(body);
            out.write(("GET /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + ServerWithFakeAuth.ALICE_TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawHttp.readResponse(in)).as("the next request on the connection").startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aRefusedUploadDeclaringMoreThanTheDrainLimitClosesItsConnectionAfterTheAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(uploadHead("not-a-token", 9L * 1024 * 1024));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readResponse(in)).startsWith("HTTP/1.1 401 ").containsIgnoringCase("Connection: close");
            assertThat(in.read()).as("the server closed the connection").isEqualTo(-1);
        }
    }

    private static byte[] uploadHead(String token, long length) {
        return ("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static String headerValue(String head, String name) {
        return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse(null);
    }

    @Test
    void theSeedDownloadTakesTheJobIdAsWellAsTheMp3Fid() throws Exception {
        byte[] mp3 = GatewayClient.randomBytes(2000, 11);
        Job job = doneJob(mp3);

        assertThat(alice.get("/download?fid=" + job.mp3Fid()).body()).isEqualTo(mp3);
        HttpResponse<byte[]> byJob = alice.get("/download?fid=" + job.id());
        assertThat(byJob.statusCode()).isEqualTo(200);
        assertThat(byJob.body()).isEqualTo(mp3);

        GatewayClient bob = new GatewayClient(server.port(), ServerWithFakeAuth.BOB_TOKEN);
        assertThat(bob.get("/download?fid=" + job.id()).statusCode()).as("another user's job").isEqualTo(404);
        assertThat(bob.get("/download?fid=" + job.mp3Fid()).statusCode()).isEqualTo(404);
    }

    @Test
    void a401NamesTheBearerScheme() throws Exception {
        HttpResponse<byte[]> none = new GatewayClient(server.port(), null).get("/api/v1/jobs");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");

        HttpResponse<byte[]> forged = new GatewayClient(server.port(), "forged").get("/api/v1/jobs");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().allValues("WWW-Authenticate")).containsExactly("Bearer error=\"invalid_token\"");
    }

    @Test
    void anEmptyFileIsRefusedAndLeavesNothingBehind() throws Exception {
        HttpResponse<String> api = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "empty.mp4", "video/mp4", new byte[0]));
        HttpResponse<String> seed = alice.upload("/upload", new GatewayClient.Multipart()
                .file("video", "empty.mp4", "video/mp4", new byte[0]));

        assertThat(api.statusCode()).isEqualTo(400);
        assertThat(api.body()).contains("the file is empty");
        assertThat(seed.statusCode()).isEqualTo(400);
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 10)).isEmpty();
    }
}
