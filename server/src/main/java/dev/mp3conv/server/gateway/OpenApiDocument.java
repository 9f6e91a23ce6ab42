package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /openapi.yaml}: the OpenAPI 3.1 description of every route, body and problem
 * ({@code openapi.yaml} on the classpath), without authentication so that clients can be generated
 * from it. OpenApiIT holds it to what the server really answers.
 */
final class OpenApiDocument implements HttpService {
    /** Where the document lives, on the classpath and on the server. */
    static final String PATH = "/openapi.yaml";

    private final byte[] document;

    OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(PATH)) {
            if (in == null) {
                throw new IllegalStateException(PATH + " is missing from the server jar");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PATH, e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::send);
    }

    private void send(ServerRequest req, ServerResponse res) {
        // RFC 9512's media type for YAML
        res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
        res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
        res.status(Status.OK_200).send(document);
    }
}
