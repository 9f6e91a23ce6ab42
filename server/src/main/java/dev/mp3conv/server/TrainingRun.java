package dev.mp3conv.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import dev.mp3conv.model.TokenResponse;
import picocli.CommandLine.Command;

/**
 * {@code mp3conv-server aot-training} (hidden): the build's training run for the JDK's ahead-of-time
 * cache. It starts every role with embedded defaults in a scratch directory on ephemeral loopback
 * ports, walks the journey a first user takes (register, log in, upload a short WAV, wait for the MP3,
 * download it) and stops; the JVM then writes the classes it loaded and linked, and their profiles, to
 * the cache the launcher maps at the next start. It is not a test: a failed step ends the run with a
 * message, and the build goes on without a cache.
 */
@Command(name = "aot-training", hidden = true, description = "Training run for the ahead-of-time cache (build only).")
final class TrainingRun implements Callable<Integer> {
    private static final Duration STEP = Duration.ofSeconds(60);

    @Override
    public Integer call() throws Exception {
        Path scratch = Files.createTempDirectory("mp3conv-aot-training");
        try (Mp3convServer server = Mp3convServer.start(Settings.load(Map.of(), Map.of(
                "app.data-dir", scratch.toString(),
                "server.host", "127.0.0.1", "server.port", "0",
                "admin.host", "127.0.0.1", "admin.port", "0")))) {
            journey(URI.create("http://127.0.0.1:" + server.port()));
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void journey(URI base) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(STEP).build();
        String credentials = "{\"email\":\"training@example.org\",\"password\":\"training-password-1\"}";
        send(http, json(base.resolve("/api/v1/users"), credentials), 201);
        TokenResponse token = Json.mapper().readValue(
                send(http, json(base.resolve("/api/v1/auth/token"), credentials), 200), TokenResponse.class);
        String bearer = "Bearer " + token.accessToken();
        String boundary = "mp3conv-training";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tone.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(wav(2));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        JobView job = Json.mapper().readValue(send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs"))
                .header("Authorization", bearer).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).timeout(STEP).build(), 202), JobView.class);
        // the event stream ends with the job
        String events = send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs/" + job.id() + "/events"))
                .header("Authorization", bearer).timeout(STEP).build(), 200);
        if (!events.contains("\"DONE\"")) {
            throw new IOException("the training job did not end DONE: " + events);
        }
        send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs/" + job.id() + "/mp3"))
                .header("Authorization", bearer).timeout(STEP).build(), 200);
        send(http, HttpRequest.newBuilder(base.resolve("/api/v1/jobs")).header("Authorization", bearer)
                .timeout(STEP).build(), 200);
    }

    private static HttpRequest json(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(STEP).build();
    }

    private static String send(HttpClient http, HttpRequest request, int expected) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(request.method() + " " + request.uri().getPath() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** A mono 16-bit 22.05 kHz WAV of a 440 Hz tone. */
    private static byte[] wav(int seconds) {
        int rate = 22_050;
        int samples = rate * seconds;
        ByteBuffer out = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            out.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate)));
        }
        return out.array();
    }
}
