package dev.mp3conv.server.gateway;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import java.util.Map;
import java.util.stream.Stream;

import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audio options (issue 23) through the real HTTP API: every field's hostile variants are a 400
 * problem+json on both ways in (multipart form fields, tus {@code Upload-Metadata}) and leave no blob and no
 * job behind; good values are stored and shown on the job.
 */
class AudioOptionsApiIT {
    @TempDir
    Path dataDir;

    private Mp3convServer server;
    private GatewayClient alice;
    private TusHttp tus;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of());
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
        tus = new TusHttp(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Stream<Arguments> hostileValues() {
        return Stream.of(
                Arguments.of("loudness", "16"), Arguments.of("loudness", "-8"), Arguments.of("loudness", "-41"),
                Arguments.of("loudness", "-1e1"), Arguments.of("loudness", "NaN"), Arguments.of("loudness", "-16;rm"),
                Arguments.of("loudness", "-" + "1".repeat(500)),
                Arguments.of("start", "-5"), Arguments.of("start", "1:75"), Arguments.of("start", "1e9"),
                Arguments.of("start", "101:00:00"), Arguments.of("start", "00:00:10,5"), Arguments.of("start", "ten"),
                Arguments.of("end", "0"), Arguments.of("end", "2:3"), Arguments.of("end", "Infinity"),
                Arguments.of("cover", "maybe"), Arguments.of("cover", "tr\u0000ue"), Arguments.of("cover", "2"),
                Arguments.of("channels", "5.1"), Arguments.of("channels", "3"), Arguments.of("channels", "mono stereo"),
                Arguments.of("sample_rate", "96000"), Arguments.of("sample_rate", "44.1k"),
                Arguments.of("sample_rate", "8000"), Arguments.of("sample_rate", "-44100"),
                Arguments.of("title", "x".repeat(257)), Arguments.of("title", "bad\u0000nul"),
                Arguments.of("title", "line\nbreak"), Arguments.of("title", "ansi\u001b[2J"),
                Arguments.of("title", "rtl\u202etxt.exe"), Arguments.of("artist", "tab\there"),
                Arguments.of("artist", "\u0085next"), Arguments.of("artist", "a\u2028sep"),
                Arguments.of("artist", "y".repeat(257)));
    }

    @ParameterizedTest(name = "{0}={1} as a form field")
    @MethodSource("hostileValues")
    void aBadFormFieldIsA400AndLeavesNothing(String field, String value) throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(4000, 1)).field(field, value));
        assertRefused(res, field);
    }

    @ParameterizedTest(name = "{0}={1} as tus metadata")
    @MethodSource("hostileValues")
    void aBadTusMetadataValueIsA400AndLeavesNothing(String field, String value) throws Exception {
        HttpResponse<String> res = tus.create(4000, "filename", "a.mp4", field, value);
        assertRefused(res, field);
    }

    @Test
    void anEndBeforeTheStartIsKnowableAtUploadAndA400() throws Exception {
        assertThat(problem(alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("start", "0:25").field("end", "10")
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(4000, 2)))).detail())
                .isEqualTo("end must be after start");
        HttpResponse<String> res = tus.create(4000, "start", "1:00:00", "end", "59:59");
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(problem(res).detail()).isEqualTo("end must be after start");
        assertNothingStored();
    }

    @Test
    void goodOptionsAreStoredAndShownOnBothWaysIn() throws Exception {
        HttpResponse<String> multipart = alice.upload("/api/v1/jobs", new GatewayClient.Multipart()
                .field("loudness", "-16").field("start", "1:30").field("end", "45:00").field("cover", "true")
                .field("channels", "mono").field("sample_rate", "44100").field("title", "Caf\u00e9 \ud83c\udfb5")
                .field("artist", " Ada ").field("bitrate", "128")
                .file("file", "a.mp4", "video/mp4", GatewayClient.randomBytes(4000, 3)));
        assertThat(multipart.statusCode()).isEqualTo(202);
        JobView job = Json.mapper().readValue(multipart.body(), JobView.class);
        assertAllOptions(job);
        assertAllOptions(Json.mapper().readValue(alice.getText("/api/v1/jobs/" + job.id()).body(), JobView.class));

        String location = tus.created(4000, "filename", "b.mp4", "loudness", "-16", "start", "90", "end", "2700",
                "cover", "yes", "channels", "1", "sample_rate", "44100", "title", "Caf\u00e9 \ud83c\udfb5",
                "artist", "Ada", "bitrate", "128k");
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertAllOptions(Json.mapper().readValue(alice.getText("/api/v1/jobs/" + id).body(), JobView.class));
    }

    @Test
    void theSeedUploadStaysAsTheCourseSystemKnewIt() throws Exception {
        HttpResponse<String> res = alice.upload("/upload", new GatewayClient.Multipart()
                .field("title", "bad\u0000title").field("loudness", "-16")
                .file("video", "a.mp4", "video/mp4", GatewayClient.randomBytes(4000, 4)));
        assertThat(res.statusCode()).isEqualTo(200);
        JobView job = Json.mapper().readValue(res.body(), JobView.class);
        assertThat(job.title()).isNull();
        assertThat(job.loudness()).isNull();
    }

    private static void assertAllOptions(JobView job) {
        assertThat(job.loudness()).isEqualTo(-16.0);
        assertThat(job.start()).isEqualTo(90.0);
        assertThat(job.end()).isEqualTo(2700.0);
        assertThat(job.cover()).isTrue();
        assertThat(job.channels()).isEqualTo("mono");
        assertThat(job.sampleRate()).isEqualTo(44100);
        assertThat(job.title()).isEqualTo("Caf\u00e9 \ud83c\udfb5");
        assertThat(job.artist()).isEqualTo("Ada");
        assertThat(job.bitrate()).isEqualTo("128k");
    }

    private void assertRefused(HttpResponse<String> res, String field) throws Exception {
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(problem(res).detail()).startsWith(field).doesNotContain("\u0000", "\n", "\u001b");
        assertNothingStored();
    }

    private void assertNothingStored() {
        assertThat(StoredFiles.blobs(dataDir)).isEmpty();
        assertThat(StoredFiles.partial(dataDir)).isEmpty();
        assertThat(server.backend().jobs().list(ServerWithFakeAuth.ALICE.userId(), null, 100)).isEmpty();
    }

    private static Problem problem(HttpResponse<String> res) throws Exception {
        return Json.mapper().readValue(res.body(), Problem.class);
    }

}
