package dev.mp3conv.bench;

import java.io.InputStream;
import java.io.OutputStream;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

/**
 * A Helidon server on 127.0.0.1 whose {@code POST /sink} reads the body, discards it and answers 202:
 * what moving the bytes over the same HTTP stack costs, with nothing done to them.
 */
final class DrainingSink {
    static final String PATH = "/sink";

    private DrainingSink() {
    }

    static WebServer start() {
        return WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> r.post(PATH, (req, res) -> {
                    try (InputStream body = req.content().inputStream()) {
                        body.transferTo(OutputStream.nullOutputStream());
                    }
                    res.status(Status.ACCEPTED_202).send("{}");
                })).build().start();
    }
}
