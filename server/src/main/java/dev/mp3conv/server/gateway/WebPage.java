package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.mp3conv.server.http.JsonBodies;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The web page at {@code /}: a fixed allow-list of files read from {@code web/} in the server jar once, at
 * start, and served from memory with a strong ETag (their SHA-256), so a browser revalidates with
 * {@code If-None-Match} and gets {@code 304} until the jar changes. Every answer carries the page's strict
 * Content-Security-Policy (scripts, styles and requests from this origin only, nothing inline),
 * {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}.
 *
 * <p>Written out rather than Helidon's static-content feature because the set of files is closed (no
 * directory lookups from request paths) and each answer needs these headers and a content-hash ETag.
 */
final class WebPage implements HttpService {
    /** The policy of every page answer (docs/gateway.md). */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    private static final HeaderName CSP_HEADER = HeaderNames.create("Content-Security-Policy");
    private static final HeaderName REFERRER_POLICY = HeaderNames.create("Referrer-Policy");
    private static final String HTML = "text/html; charset=utf-8";

    private final Map<String, Resource> files;

    private WebPage(Map<String, Resource> files) {
        this.files = files;
    }

    /**
     * Reads the page's files from the class path.
     *
     * @return the service, to register at {@code /}
     */
    static WebPage load() {
        Map<String, Resource> files = new LinkedHashMap<>();
        Resource index = read("index.html", HTML);
        files.put("/", index);
        files.put("/index.html", index);
        files.put("/app.js", read("app.js", "text/javascript; charset=utf-8"));
        files.put("/app.css", read("app.css", "text/css; charset=utf-8"));
        files.put("/vendor/tus.min.js", read("vendor/tus.min.js", "text/javascript; charset=utf-8"));
        return new WebPage(Map.copyOf(files));
    }

    @Override
    public void routing(HttpRules rules) {
        files.keySet().forEach(path -> rules.get(path, this::serve).head(path, this::serve));
    }

    private void serve(ServerRequest req, ServerResponse res) {
        Resource file = files.get(req.path().path());
        if (file == null) {
            res.next();
            return;
        }
        res.header(CSP_HEADER, CSP)
                .header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(REFERRER_POLICY, "no-referrer")
                // revalidate every time: a new release must show at once, and a 304 costs a few hundred bytes
                .header(HeaderNames.CACHE_CONTROL, "no-cache")
                .header(HeaderNames.ETAG, file.etag());
        boolean fresh = req.headers().value(HeaderNames.IF_NONE_MATCH)
                .map(value -> Arrays.stream(value.split(",")).map(String::strip)
                        .anyMatch(tag -> tag.equals(file.etag()) || tag.equals("W/" + file.etag()) || tag.equals("*")))
                .orElse(false);
        if (fresh) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, file.contentType());
        if (JsonBodies.isHead(req)) {
            // Helidon would write the body of a HEAD too
            res.contentLength(file.bytes().length);
            res.send();
            return;
        }
        res.send(file.bytes());
    }

    private static Resource read(String name, String contentType) {
        try (InputStream in = WebPage.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web page file missing from the jar: web/" + name);
            }
            byte[] bytes = in.readAllBytes();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            String etag = '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 27) + '"';
            return new Resource(bytes, contentType, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Resource(byte[] bytes, String contentType, String etag) {
    }
}
