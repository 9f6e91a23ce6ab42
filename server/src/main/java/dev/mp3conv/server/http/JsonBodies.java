package dev.mp3conv.server.http;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mp3conv.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * JSON request and response bodies with the project's one mapping. A body that does not parse is a
 * 400 problem, never a 500.
 */
public final class JsonBodies {
    private static final int MAX_JSON_BODY = 64 * 1024;

    private JsonBodies() {
    }

    /**
     * Reads a JSON request body.
     *
     * @param req  request
     * @param type record to bind to
     * @param <T>  type
     * @return the body
     * @throws ProblemException 400 when missing, too large or malformed
     */
    public static <T> T read(ServerRequest req, Class<T> type) {
        if (!req.content().hasEntity()) {
            throw ProblemException.badRequest("a JSON body is required");
        }
        try {
            byte[] body = req.content().inputStream().readNBytes(MAX_JSON_BODY + 1);
            if (body.length > MAX_JSON_BODY) {
                throw ProblemException.badRequest("JSON body larger than " + MAX_JSON_BODY + " bytes");
            }
            T value = Json.mapper().readValue(body, type);
            if (value == null) {
                throw ProblemException.badRequest("a JSON body is required");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed JSON body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("the request body could not be read");
        }
    }

    /**
     * Sends a JSON response.
     *
     * @param res    response
     * @param status status
     * @param body   value to serialise
     */
    public static void write(ServerResponse res, Status status, Object body) {
        write(res, status, body, false);
    }

    /**
     * Answers a GET or a HEAD with a JSON body: a HEAD gets the same status and headers, the
     * {@code Content-Length} included, and no body (RFC 9110 §9.3.2).
     *
     * @param req    request (GET or HEAD)
     * @param res    response
     * @param status status
     * @param body   value to serialise
     */
    public static void answer(ServerRequest req, ServerResponse res, Status status, Object body) {
        write(res, status, body, isHead(req));
    }

    /**
     * Whether a request is a HEAD: its answer carries the headers of the GET and no body.
     *
     * @param req request
     * @return true for HEAD
     */
    public static boolean isHead(ServerRequest req) {
        return Method.HEAD.equals(req.prologue().method());
    }

    private static void write(ServerResponse res, Status status, Object body, boolean headersOnly) {
        try {
            byte[] bytes = Json.mapper().writeValueAsBytes(body);
            res.status(status);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            if (headersOnly) {
                res.contentLength(bytes.length);
                res.send();
            } else {
                res.send(bytes);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
