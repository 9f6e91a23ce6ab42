package dev.mp3conv.server.gateway;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.mp3conv.bench.ConcurrentUploadBench;
import dev.mp3conv.bench.ConcurrentUploads;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.storage.Mongo;
import dev.mp3conv.server.testing.RawHttp;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway on GridFS in its own JVM at the launcher's default heap ({@code -XX:+UseSerialGC -Xmx64m}) and
 * {@code -XX:+ExitOnOutOfMemoryError}, as the chart runs it: uploads at once through the real HTTP API, multipart
 * and tus, all stored whole, and the process stays up; past the uploads its heap allows, a PATCH gets
 * 503 problem+json with Retry-After and the held uploads still finish. The store is mongo-java-server in this
 * JVM, so the blobs do not count against the gateway's heap.
 */
class GridFsHeapProcessIT {
    private static final long SIZE = 8L * 1024 * 1024;
    /** Writers {@code ChunkBuffers.forHeap} gives a 64 MiB heap (ChunkBuffersTest checks the same figure). */
    private static final int WRITERS_AT_64M = 9;

    private static MongoServer mongoServer;
    private static Mongo mongo;
    private static ConcurrentUploads.Gateway gateway;

    @BeforeAll
    static void start() throws Exception {
        mongoServer = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongoServer.bind();
        String uri = "mongodb://127.0.0.1:" + address.getPort();
        mongo = Mongo.connect(uri, "mp3conv", 10_000);
        gateway = new ConcurrentUploads.Gateway(List.of(ConcurrentUploadBench.LAUNCHER_DEFAULTS.split(" ")), uri);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (mongoServer != null) {
            mongoServer.shutdownNow();
        }
    }

    @Test
    void concurrentMultipartAndTusUploadsAllSucceedAtTheDefaultHeap() throws Exception {
        for (boolean tus : new boolean[] {false, true}) {
            ConcurrentUploads.Result result = gateway.batch(8, SIZE, tus, 4L * 1024 * 1024);
            assertThat(result.alive()).as("gateway alive after 8 %s uploads", tus ? "tus" : "multipart").isTrue();
            assertThat(result.jobs()).hasSize(8).allSatisfy(job -> {
                assertThat(job).isInstanceOf(JobView.class);
                assertThat(((JobView) job).size()).isEqualTo(SIZE);
            });
            // every blob whole in GridFS: 8 chunks of 1 MiB each
            long chunks = Mono.from(mongo.database().getCollection("fs.chunks").countDocuments()).block();
            assertThat(chunks).as("chunks stored").isEqualTo(8 * SIZE / (1024 * 1024));
            clear();
        }
    }

    @Test
    void anUploadPastTheHeapBudgetGets503AndTheHeldOnesFinish() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // tus PATCHes that send one byte and then wait each hold a writer buffer while their body is read
            for (int i = 0; i < WRITERS_AT_64M; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.port());
                held.add(socket);
                String location = create(socket, 2);
                patchHead(socket.getOutputStream(), location, 2);
                socket.getOutputStream().write(1);
                socket.getOutputStream().flush();
            }
            // the PATCHes above may not all have reached the store yet: a refused one proves it
            String refused = null;
            for (int attempt = 0; attempt < 50 && refused == null; attempt++) {
                try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
                    String location = create(socket, 1);
                    patchHead(socket.getOutputStream(), location, 1);
                    socket.getOutputStream().write(7);
                    socket.getOutputStream().flush();
                    String response = RawHttp.readResponse(socket.getInputStream());
                    if (response.startsWith("HTTP/1.1 503")) {
                        refused = response;
                    } else {
                        assertThat(response).startsWith("HTTP/1.1 204");
                    }
                }
            }
            assertThat(refused).as("a PATCH past the budget is refused").isNotNull();
            assertThat(refused.toLowerCase()).contains("retry-after: 5").contains("application/problem+json")
                    .contains("as many uploads as it can hold");
            for (Socket socket : held) {
                socket.getOutputStream().write(2);
                socket.getOutputStream().flush();
                assertThat(RawHttp.readResponse(socket.getInputStream())).startsWith("HTTP/1.1 204");
            }
            assertThat(gateway.alive()).isTrue();
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
            clear();
        }
    }

    /** A tus creation on {@code socket}; the upload's path. */
    private static String create(Socket socket, long length) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth() + "Upload-Length: " + length
                + "\r\nUpload-Metadata: filename YS5tcDQ=\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String created = RawHttp.readResponse(in);
        assertThat(created).startsWith("HTTP/1.1 201");
        return created.lines().filter(l -> l.regionMatches(true, 0, "location:", 0, 9))
                .map(l -> l.substring(9).trim()).findFirst().orElseThrow();
    }

    private static void patchHead(OutputStream out, String location, long length) throws Exception {
        out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth() + "Upload-Offset: 0\r\n"
                + "Content-Type: application/offset+octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static String auth() {
        return "Authorization: Bearer " + ServerWithFakeAuth.ALICE_TOKEN + "\r\nTus-Resumable: 1.0.0\r\n";
    }

    private static void clear() {
        for (String c : List.of("fs.chunks", "fs.files", "fs.uploads")) {
            Mono.from(mongo.database().getCollection(c).deleteMany(new Document())).block();
        }
    }
}
