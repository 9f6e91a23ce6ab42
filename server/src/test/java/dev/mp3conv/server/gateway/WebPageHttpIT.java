package dev.mp3conv.server.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web page's files over real HTTP: content types, the security headers on every one, ETag
 * revalidation, and nothing served outside the allow-list. The browser side is {@link WebPageIT}.
 */
class WebPageHttpIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    @TempDir
    static Path dataDir;
    private static Mp3convServer server;

    @BeforeAll
    static void start() {
        server = ServerWithFakeAuth.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @CsvSource({
            "/, text/html; charset=utf-8",
            "/index.html, text/html; charset=utf-8",
            "/app.js, text/javascript; charset=utf-8",
            "/app.css, text/css; charset=utf-8",
            "/vendor/tus.min.js, text/javascript; charset=utf-8"})
    void eachFileHasItsTypeTheSecurityHeadersAndAStrongEtag(String path, String type) throws Exception {
        HttpResponse<byte[]> res = get(path, Map.of());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).contains(type);
        assertThat(res.headers().firstValue("Content-Security-Policy")).contains(CSP);
        assertThat(res.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(res.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(res.headers().firstValue("Cache-Control")).contains("no-cache");
        assertThat(res.headers().allValues("Set-Cookie")).isEmpty();
        String etag = res.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[A-Za-z0-9_-]{27}\"");
        assertThat(res.body()).isNotEmpty();

        HttpResponse<byte[]> again = get(path, Map.of("If-None-Match", "\"other\", " + etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).contains(etag);
        assertThat(get(path, Map.of("If-None-Match", "\"stale\"")).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> head = send(HttpRequest.newBuilder(uri(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("ETag")).contains(etag);
    }

    @Test
    void thePageHasNoInlineScriptOrStyleAndLoadsOnlyItsOwnFiles() throws Exception {
        String html = new String(get("/", Map.of()).body(), StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("style=").doesNotContain("<style").doesNotContain("onclick")
                .doesNotContain("http://").doesNotContain("https://")
                .contains("<script src=\"vendor/tus.min.js\" defer></script>")
                .contains("<script src=\"app.js\" defer></script>");
        assertThat(html.split("<script").length - 1).isEqualTo(2);
    }

    @Test
    void theFirstLoadIsUnder200Kilobytes() throws Exception {
        long total = 0;
        for (String path : new String[] {"/", "/app.css", "/vendor/tus.min.js", "/app.js"}) {
            total += get(path, Map.of()).body().length;
        }
        // bodies only; WebPageIT measures what Chromium transferred, headers included
        assertThat(total).isLessThan(200_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/vendor/tus.min.js.map", "/vendor/README.md", "/vendor/tus-js-client.LICENSE",
            "/web/index.html", "/app.js/", "/../web/app.js", "/%2e%2e/application.yaml", "/application.yaml",
            "/index.htm"})
    void nothingOutsideTheAllowListIsServed(String path) throws Exception {
        HttpResponse<byte[]> res = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET());
        assertThat(res.statusCode()).isIn(400, 404);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void postingToThePageIsNotServed() throws Exception {
        HttpResponse<byte[]> res = send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(res.statusCode()).isEqualTo(404);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        headers.forEach(request::header);
        return send(request);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
