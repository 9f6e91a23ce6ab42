package dev.mp3conv.server.gateway;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multipart file names as an attacker sends them, through the real HTTP API ({@code POST /api/v1/jobs}
 * and the seed's {@code POST /upload}): NUL (a 500 before), CR/LF, ESC, bidi overrides, zero-width and
 * separator characters, directory parts, RFC 2231 encoded controls, very long names. Raw control bytes
 * make the part header invalid and the upload is refused with a 400 problem; every other name is accepted
 * sanitised; nothing raw reaches a log.
 */
class HostileFilenamesIT {
    /** Characters no stored or logged name may hold. */
    private static final List<String> INVISIBLE = List.of("\u0000", "\u001b", "\r", "\n", "\u0007", "\u007f",
            "\u0085", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff");

    @TempDir
    Path dataDir;
    private Mp3convServer server;
    private GatewayClient alice;

    @BeforeEach
    void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of());
        alice = new GatewayClient(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Content-Disposition parameters that name the file, by what they try. */
    private static Map<String, String> hostileNames(String marker) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("NUL", "filename=\"evil" + marker + "\u0000.mp4\"");
        names.put("NUL then a path", "filename=\"ok" + marker + ".mp4\u0000/../../etc/passwd\"");
        names.put("ESC sequence", "filename=\"\u001b[2J\u001b[31m" + marker + ".mp4\"");
        names.put("bell and DEL", "filename=\"a\u0007\u007f" + marker + ".mp4\"");
        names.put("bidi override", "filename=\"invoice" + marker + "\u202egpj.mp4\"");
        names.put("bidi isolates", "filename=\"\u2066" + marker + "\u2069\u2067.mp4\u2068\"");
        names.put("zero-width and BOM", "filename=\"\ufeff\u200b" + marker + "\u200d.mp4\"");
        names.put("line and paragraph separators", "filename=\"a\u2028" + marker + "\u2029b.mp4\"");
        names.put("NEL", "filename=\"a\u0085" + marker + ".mp4\"");
        names.put("unix traversal", "filename=\"../../../../tmp/" + marker + ".mp4\"");
        names.put("windows traversal", "filename=\"..\\\\..\\\\windows\\\\" + marker + ".mp4\"");
        names.put("absolute path", "filename=\"/etc/" + marker + ".mp4\"");
        names.put("only dots", "filename=\"..\"; x=\"" + marker + "\"");
        names.put("RFC 2231 encoded CR LF NUL", "filename*=UTF-8''a%0D%0AX-Injected%3A%201%00" + marker + ".mp4");
        names.put("RFC 2231 encoded bidi", "filename*=UTF-8''%E2%80%AE" + marker + "4pm.mp3");
        names.put("300 characters", "filename=\"" + marker + "x".repeat(300) + ".mp4\"");
        names.put("300 emoji (1200 bytes)", "filename=\"" + marker + "\ud83c\udfb5".repeat(300) + ".mp4\"");
        names.put("raw CR LF inside the quotes", "filename=\"a" + marker + "\r\nX-Injected: 1\r\n.mp4\"");
        return names;
    }

    @Test
    void hostileNamesAreSanitisedOnBothUploadRoutesAndNeverLoggedRaw() throws Exception {
        List<String> markers = new java.util.ArrayList<>();
        try (LogCapture log = LogCapture.start()) {
            for (String route : List.of("/api/v1/jobs", "/upload")) {
                String marker = UUID.randomUUID().toString();
                markers.add(marker);
                for (Map.Entry<String, String> name : hostileNames(marker).entrySet()) {
                    String what = route + ": " + name.getKey();
                    HttpResponse<String> res = alice.upload(route, new GatewayClient.Multipart().part(Map.of(
                            "Content-Disposition", "form-data; name=\"file\"; " + name.getValue(),
                            "Content-Type", "video/mp4"), GatewayClient.randomBytes(2000, 7)));
                    // a raw control character makes the part header invalid (RFC 9110 §5.5) and the parser
                    // refuses the body; encoded (filename*) or invisible-but-printable ones are sanitised
                    boolean rawControl = name.getValue().chars().anyMatch(c -> c < 0x20 || c == 0x7f);
                    assertThat(res.statusCode()).as(what + " " + res.body())
                            .isEqualTo(rawControl ? 400 : route.equals("/upload") ? 200 : 202);
                    if (res.statusCode() >= 400) {
                        assertThat(res.headers().firstValue("Content-Type")).as(what).contains("application/problem+json");
                        assertThat(INVISIBLE).as(what).noneMatch(res.body()::contains);
                        continue;
                    }
                    JsonNode job = Json.mapper().readTree(res.body());
                    String stored = job.get("filename").asText();
                    assertThat(INVISIBLE).as(what + ": " + stored).noneMatch(stored::contains);
                    assertThat(stored).as(what).doesNotContain("/").doesNotContain("\\").isNotIn("", ".", "..");
                    assertThat(stored.codePointCount(0, stored.length())).as(what).isLessThanOrEqualTo(255);
                    HttpResponse<String> shown = alice.getText("/api/v1/jobs/" + job.get("id").asText());
                    assertThat(Json.mapper().readTree(shown.body()).get("filename").asText()).as(what).isEqualTo(stored);
                }
            }
            assertThat(log.lines()).allSatisfy(line -> {
                assertThat(markers).as(line).noneMatch(line::contains);
                assertThat(INVISIBLE.stream().filter(c -> !c.equals("\n")).filter(line::contains)).as(line).isEmpty();
                assertThat(line).as("no server error").doesNotContain("unexpected error");
            });
        }
    }

    @Test
    void namesKeepTheirVisibleCharacters() throws Exception {
        HttpResponse<String> res = alice.upload("/api/v1/jobs", new GatewayClient.Multipart().part(Map.of(
                "Content-Disposition", "form-data; name=\"file\"; filename=\"C:\\\\Users\\\\me\\\\Vortrag über \u202eMärz.mp4\"",
                "Content-Type", "video/mp4"), GatewayClient.randomBytes(2000, 8)));
        assertThat(res.statusCode()).isEqualTo(202);
        assertThat(Json.mapper().readTree(res.body()).get("filename").asText()).isEqualTo("Vortrag über März.mp4");
    }
}
