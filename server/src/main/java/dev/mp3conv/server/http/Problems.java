package dev.mp3conv.server.http;

import java.io.UncheckedIOException;
import java.util.UUID;

import dev.mp3conv.model.Json;
import dev.mp3conv.model.Problem;
import dev.mp3conv.server.queue.QueueUnavailableException;
import dev.mp3conv.server.storage.StoreBusyException;
import dev.mp3conv.server.storage.StoreUnavailableException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Maps every error to an {@code application/problem+json} answer, once for the whole routing.
 * Unexpected exceptions are logged with an id that the 500 answer repeats, and their message is
 * not sent to the client.
 */
public final class Problems {
    private static final System.Logger LOG = System.getLogger(Problems.class.getName());
    /**
     * A refused request whose declared body is at most this long keeps its connection: Helidon reads the rest
     * of the body after the answer, so the client, still sending, gets the answer instead of a connection
     * reset. A longer or chunked body is not read on: the answer closes the connection.
     */
    static final long DRAINED_BODY_LIMIT = 8L * 1024 * 1024;
    private static final String CLOSE_AFTER_ANSWER = Problems.class.getName() + ".close-after-answer";

    private Problems() {
    }

    /**
     * Registers the error handlers.
     *
     * @param routing routing to add them to
     */
    public static void register(HttpRouting.Builder routing) {
        routing.addFilter((chain, req, res) -> {
            chain.proceed();
            if (req.context().get(CLOSE_AFTER_ANSWER, Boolean.class).isPresent()) {
                // Helidon 4.5.0 keeps a connection open after it answered "Connection: close" (helidon#12324) and
                // would read the rest of the refused body as the next request: this ends it once the answer is out
                // (thrown from an error handler instead, Helidon logs a warning with a stack trace for every one)
                throw new CloseConnectionException("the body of a refused request is not read");
            }
        });
        routing.error(ProblemException.class, (req, res, e) -> {
            e.retryAfter().ifPresent(wait -> res.header(HeaderNames.RETRY_AFTER,
                    String.valueOf(Math.max(1, wait.toSeconds()))));
            e.challenge().ifPresent(challenge -> res.header(HeaderNames.WWW_AUTHENTICATE, challenge));
            send(req, res, e.status(), e.getMessage());
        });
        routing.error(StoreBusyException.class, (req, res, e) -> {
            LOG.log(System.Logger.Level.INFO, "upload refused: {0}", e.getMessage());
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())));
            send(req, res, Status.SERVICE_UNAVAILABLE_503,
                    "the server is receiving as many uploads as it can hold at once, try again shortly");
        });
        routing.error(StoreUnavailableException.class, (req, res, e) -> {
            LOG.log(System.Logger.Level.WARNING, "store unavailable: {0}", e.getMessage());
            res.header(HeaderNames.RETRY_AFTER, "5");
            send(req, res, Status.SERVICE_UNAVAILABLE_503, "storage is unavailable, try again shortly");
        });
        routing.error(QueueUnavailableException.class, (req, res, e) -> {
            LOG.log(System.Logger.Level.WARNING, "queue unavailable: {0}", e.getMessage());
            res.header(HeaderNames.RETRY_AFTER, "5");
            send(req, res, Status.SERVICE_UNAVAILABLE_503, "the job queue is unavailable, try again shortly");
        });
        routing.error(HttpException.class, (req, res, e) -> send(req, res, e.status(), e.getMessage()));
        routing.error(UncheckedIOException.class, (req, res, e) -> {
            // almost always the client went away mid-request; nothing useful can be answered
            LOG.log(System.Logger.Level.DEBUG, "I/O error on {0}: {1}", req.path().path(), e.getMessage());
            if (!res.isSent()) {
                send(req, res, Status.BAD_REQUEST_400, "the request could not be read");
            }
        });
        routing.error(RuntimeException.class, (req, res, e) -> {
            String id = UUID.randomUUID().toString();
            LOG.log(System.Logger.Level.ERROR, "unexpected error " + id + " on " + req.prologue().method()
                    + " " + req.path().path(), e);
            send(req, res, Status.INTERNAL_SERVER_ERROR_500, "internal error " + id);
        });
    }

    private static boolean unreadBody(ServerRequest req) {
        try {
            return req.content().hasEntity() && !req.content().consumed();
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static boolean drainable(ServerRequest req) {
        return req.headers().contentLength().orElse(Long.MAX_VALUE) <= DRAINED_BODY_LIMIT;
    }

    /**
     * Answers with a problem.
     *
     * @param req    the request (its path becomes the instance)
     * @param res    the response
     * @param status HTTP status
     * @param detail explanation for the user
     */
    public static void send(ServerRequest req, ServerResponse res, Status status, String detail) {
        Problem problem = Problem.of(status.code(), status.reasonPhrase(), detail).withInstance(req.path().absolute().path());
        res.status(status);
        boolean close = unreadBody(req) && !drainable(req);
        if (close) {
            // a rejected upload's remaining bytes must not be read as the next request on this connection,
            // and reading gigabytes only to discard them would be the sender's gift
            res.header(HeaderNames.CONNECTION, "close");
        }
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            byte[] body = Json.mapper().writeValueAsBytes(problem);
            if (JsonBodies.isHead(req)) {
                // a HEAD answer has the GET's headers and no body, or the connection's next answer breaks
                res.contentLength(body.length);
                res.send();
            } else {
                res.send(body);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a problem", e);
        }
        if (close) {
            req.context().register(CLOSE_AFTER_ANSWER, Boolean.TRUE);
        }
    }
}
