package dev.mp3conv.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobPage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.model.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mp3conv aot-training} (hidden): the build's training run for the JDK's ahead-of-time cache.
 * The commands a person runs most ({@code status}, one job, {@code --json}) against a stand-in server
 * on 127.0.0.1 that answers as the real one does, so the cache holds what their successful runs load
 * and link: the saved login, the HTTP call, the JSON of a page of jobs, the table. A run against a
 * port where nothing listens (what trained the cache before) covered only the error line.
 */
@Command(name = "aot-training", hidden = true, description = "Training run for the ahead-of-time cache (build only).")
final class TrainingRun implements Callable<Integer> {
    private static final String TOKEN = "aot-training-token";

    @Override
    public Integer call() throws IOException {
        Instant now = Instant.now();
        List<JobView> jobs = List.of(
                job("6b0ea0cd5192cc0473ea112a", "talk.mp4", JobState.DONE, 1.0, now, null),
                job("6b0ea0cd5192cc0473ea112b", "lecture.mkv", JobState.CONVERTING, 0.4, now, null),
                job("6b0ea0cd5192cc0473ea112c", "noise.bin", JobState.FAILED, 0, now,
                        new JobError("invalid-media", "not a media file", "Invalid data found when processing input")));
        byte[] page = json(new JobPage(jobs, "next-page-cursor"));
        byte[] one = json(jobs.getFirst());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> answer(exchange, exchange.getRequestURI().getPath().equals("/api/v1/jobs") ? page : one));
        server.start();
        Path config = Files.createTempDirectory("mp3conv-aot-training");
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            new ConfigStore(config).save(new SavedLogin(url, "training@example.org", TOKEN, now.plus(Duration.ofHours(1))));
            Environment env = new Environment(Map.of("MP3CONV_CONFIG_DIR", config.toString()), config,
                    new ByteArrayInputStream(new byte[0]), Prompter.console(), false, Clock.systemUTC(),
                    Duration.ofSeconds(2), Duration.ofSeconds(3));
            int failed = 0;
            for (String[] args : List.of(new String[] {"status"}, new String[] {"status", jobs.getFirst().id()},
                    new String[] {"--json", "status"}, new String[] {"status"})) {
                CommandLine cmd = Mp3conv.commandLine(env, args);
                cmd.setOut(new PrintWriter(Writer.nullWriter()));
                failed += cmd.execute(args) == ExitCode.OK ? 0 : 1;
            }
            return failed == 0 ? ExitCode.OK : ExitCode.ERROR;
        } finally {
            server.stop(0);
            try (Stream<Path> files = Files.walk(config)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static JobView job(String id, String name, JobState state, double progress, Instant now, JobError error) {
        Instant created = now.minus(Duration.ofMinutes(5));
        boolean done = state == JobState.DONE;
        return new JobView(id, name, "video/mp4", 12_345_678, "ab".repeat(32), state, progress, 300.0,
                "video-" + id, done ? "mp3-" + id : null, done ? 7_200_000L : null, done ? "cd".repeat(32) : null,
                "192k", null, 1, error, created, now, state.terminal() ? now.plus(Duration.ofDays(7)) : null,
                state.terminal() ? now.plus(Duration.ofDays(1)) : null, null);
    }

    private static byte[] json(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange) {
            boolean authorized = ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] sent = authorized ? body : "{\"title\":\"Unauthorized\",\"status\":401}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", authorized ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(authorized ? 200 : 401, sent.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(sent);
            }
        }
    }
}
