package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.mongodb.client.model.Filters;
import com.sun.net.httpserver.HttpServer;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.JobView;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.ServerWithFakeAuth;
import dev.mp3conv.server.testing.MemoryMongo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Untrusted media through the real HTTP API and the real ffmpeg (docs/security.md, "Untrusted media"):
 * inputs that make ffmpeg read other files or URLs are refused without being followed, every accepted
 * container still converts, a job's input sits alone in its own directory, and inputs that claim or
 * decode to more audio than {@code converter.max-duration} fail {@code too-long} at once, leaving nothing.
 * Each runs on the filesystem store and GridFS with the Debian ffmpeg, and on the filesystem store with the
 * bundled ffmpeg 4.4.1 (which crashes on any http input, so it is not paired with GridFS's loopback URLs,
 * and on MPEG-TS).
 */
class HostileMediaIT {
    private static final String ALLOW_LIST_REFUSAL = "not an accepted audio or video container";

    @TempDir
    static Path samples;
    private static HttpServer canary;
    private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
    private static Map<String, Path> hostile;

    @TempDir
    Path dataDir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Where the blobs live and which ffmpeg converts. */
    enum Setup { FILES_DEBIAN, GRIDFS_DEBIAN, FILES_BUNDLED }

    @BeforeAll
    static void samplesAndCanary() throws IOException {
        canary = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        canary.createContext("/", exchange -> {
            try (exchange) {
                String name = exchange.getRequestURI().getPath().substring(1);
                HITS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                Path file = samples.resolve(name);
                if (!name.contains("/") && Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(200, Files.size(file));
                    try (OutputStream out = exchange.getResponseBody()) {
                        Files.copy(file, out);
                    }
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        canary.start();
        String segmentUrl = canaryUrl("segment.ts");
        Path secret = HostileSamples.secret(samples);
        Path segment = HostileSamples.segment(samples);
        hostile = new LinkedHashMap<>();
        hostile.put("ffconcat naming a file beside it", HostileSamples.concatRelative(samples));
        hostile.put("ffconcat naming a file through subfile", HostileSamples.concatSubfile(samples, secret));
        hostile.put("HLS naming a segment beside it", HostileSamples.hlsLocal(samples));
        hostile.put("HLS naming a file: URL", HostileSamples.hlsFileUrl(samples, segment));
        hostile.put("HLS naming another server", HostileSamples.hlsRemote(samples, segmentUrl));
        hostile.put("HLS master naming another server", HostileSamples.hlsMaster(samples, canaryUrl("remote.m3u8")));
        hostile.put("HLS with a data: URI", HostileSamples.hlsData(samples, segment));
        hostile.put("DASH naming another server", HostileSamples.dash(samples, segmentUrl));
        hostile.put("SDP opening UDP sockets", HostileSamples.sdp(samples));
        hostile.put("PNG picture (image2)", HostileSamples.png(samples));
    }

    @AfterAll
    static void stopCanary() {
        canary.stop(0);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    @Test
    void withoutTheAllowListsFfmpegFollowsTheseInputs() throws Exception {
        // the local references are read when the input sits beside them (a blob beside other blobs)
        for (String name : List.of("relative.ffconcat", "local-playlist", "file-url.m3u8")) {
            String stderr = plainFfmpeg("file:" + samples.resolve(name));
            assertThat(stderr).as(name).containsPattern("Input #0, (concat|hls), from");
            assertThat(stderr).as(name).contains("time=00:00:0");
        }
        // the URLs are fetched when the input is itself read over http (the loopback endpoint)
        for (String name : List.of("remote.m3u8", "master.m3u8", "manifest.mpd")) {
            int before = hits("segment.ts");
            plainFfmpeg(canaryUrl(name));
            assertThat(hits("segment.ts")).as(name + " made ffmpeg fetch the segment").isGreaterThan(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void inputsNamingOtherFilesOrUrlsFailAsInvalidMediaWithoutBeingFollowed(Setup setup) throws Exception {
        MediaApi alice = start(setup, Map.of());
        HITS.clear();
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> sample : hostile.entrySet()) {
            jobs.put(sample.getKey(), alice.upload(sample.getValue()).id());
        }
        for (Map.Entry<String, JobView> done : awaitRefused(alice, jobs).entrySet()) {
            assertThat(alice.mp3Status(done.getValue().id())).as(done.getKey()).isNotEqualTo(200);
        }
        assertThat(HITS).as("nothing was fetched from the canary").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"FILES_DEBIAN", "GRIDFS_DEBIAN"})
    void theLoudnessPassAndTheCoverGrabKeepTheAllowLists(Setup setup) throws Exception {
        // the measurement and the picture runs read the input before the conversion does
        MediaApi alice = start(setup, Map.of());
        HITS.clear();
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> sample : hostile.entrySet()) {
            jobs.put(sample.getKey(), alice.upload(sample.getValue(), Map.of("loudness", "-16", "cover", "true",
                    "start", "0.5")).id());
        }
        awaitRefused(alice, jobs);
        assertThat(HITS).as("nothing was fetched from the canary").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void everyAcceptedContainerStillConverts(Setup setup) throws Exception {
        MediaApi alice = start(setup, Map.of());
        Map<String, String> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> sample : containers().entrySet()) {
            if (setup == Setup.FILES_BUNDLED && sample.getKey().equals("mpegts")) {
                // the static 4.4.1 build crashes (SIGSEGV, exit 139) on every MPEG-TS input, with or
                // without allow-lists, as it does on http inputs: a fault of that binary, not of the lists
                continue;
            }
            jobs.put(sample.getKey(), alice.upload(sample.getValue()).id());
        }
        for (Map.Entry<String, String> job : jobs.entrySet()) {
            JobView done = alice.awaitFinished(job.getValue(), Duration.ofSeconds(90));
            assertThat(done.state()).as("%s: %s", job.getKey(), done.error()).isEqualTo(JobState.DONE);
            Path mp3 = alice.mp3(done.id(), dataDir.resolve(job.getKey() + ".mp3"));
            var probe = MediaSamples.probe(mp3);
            assertThat(MediaSamples.firstAudio(probe).path("codec_name").asText()).as(job.getKey()).isEqualTo("mp3");
            assertThat(probe.path("format").path("duration").asDouble()).as(job.getKey())
                    .isCloseTo(HostileSamples.SECONDS, within(0.2));
        }
    }

    @Test
    void ffmpegSeesTheJobsInputAloneInADirectoryOfItsOwnWithTheAllowLists() throws Exception {
        MediaApi alice = start(Setup.FILES_DEBIAN, Map.of());
        alice.upload(HostileSamples.secret(samples)); // another blob in the store
        JobView job = alice.upload(HostileSamples.silence(samples, "long-silence.flac", 1800));
        // the arguments are read inside the poll: a short ffmpeg run (the one a split stops, its tag read) may
        // have ended by the next line
        List<String> args = await("ffmpeg converting the job").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> ffmpegReading(job.id()), found -> found != null);
        String input = args.get(args.indexOf("-i") + 1);
        assertThat(args.get(args.indexOf("-format_whitelist") + 1)).isEqualTo(InputAllowList.DEMUXERS);
        assertThat(args.get(args.indexOf("-protocol_whitelist") + 1)).isEqualTo("file");
        assertThat(input).startsWith("file:");
        Path seen = Path.of(input.substring("file:".length()));
        Path blob = dataDir.resolve("blobs").resolve(job.videoFid().substring(30)).resolve(job.videoFid());
        assertThat(seen.startsWith(dataDir.resolve("blobs"))).as("outside the blob store").isFalse();
        assertThat(Files.isSameFile(seen, blob)).as("a link to the blob, not a copy").isTrue();
        try (Stream<Path> beside = Files.list(seen.getParent())) {
            assertThat(beside.map(p -> p.getFileName().toString())).containsExactly("input");
        }
        assertThat(Files.getPosixFilePermissions(seen.getParent())).isEqualTo(dev.mp3conv.server.OwnerOnly.DIRECTORY);
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"FILES_DEBIAN", "GRIDFS_DEBIAN"})
    void aSmallFileClaimingThirteenHoursFailsTooLongWithinSecondsAndLeavesNothing(Setup setup) throws Exception {
        MediaApi alice = start(setup, Map.of()); // the default limit, 12 h
        Path mp3 = HostileSamples.mp3Claiming(samples, 13);
        Path flac = HostileSamples.flacClaiming(samples, 13);
        for (Path claim : List.of(mp3, flac)) {
            assertThat(Files.size(claim)).isLessThan(40_000);
            long started = System.nanoTime();
            JobView job = alice.upload(claim);
            JobView done = alice.awaitFinished(job.id(), Duration.ofSeconds(10));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(done.state()).as(claim.getFileName().toString()).isEqualTo(JobState.FAILED);
            assertThat(done.error().code()).isEqualTo("too-long");
            assertThat(done.error().message()).isEqualTo("the file says it lasts 13.0 h, more than the limit of 12 h");
            assertThat(alice.mp3Status(done.id())).isNotEqualTo(200);
            assertThat(mp3Blobs(setup, done.id())).as("no MP3 blob is left").isZero();
        }
        // ten hours is within the default limit: the header is believed, the audio it has is converted,
        // and the job fails only because the file holds far less than it says
        JobView tenHours = alice.awaitFinished(alice.upload(HostileSamples.flacClaiming(samples, 10)).id(),
                Duration.ofSeconds(30));
        assertThat(tenHours.error().code()).isEqualTo("invalid-media");
        assertThat(tenHours.error().message()).contains("truncated or corrupt");
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"FILES_DEBIAN", "GRIDFS_DEBIAN"})
    void tenHoursClaimedOverALowerLimitFailsAtOnce(Setup setup) throws Exception {
        MediaApi alice = start(setup, Map.of("converter.max-duration", "2h"));
        long started = System.nanoTime();
        JobView done = alice.awaitFinished(alice.upload(HostileSamples.mp3Claiming(samples, 10)).id(), Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(done.error().code()).isEqualTo("too-long");
        assertThat(done.error().message()).isEqualTo("the file says it lasts 10.0 h, more than the limit of 2 h");
        assertThat(mp3Blobs(setup, done.id())).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"FILES_DEBIAN", "GRIDFS_DEBIAN", "FILES_BUNDLED"})
    void anInputThatDecodesPastTheLimitIsCutThereAndFailsTooLong(Setup setup) throws Exception {
        MediaApi alice = start(setup, Map.of("converter.max-duration", "30s"));
        // ten minutes of FLAC silence in a few KB, whose header states no length: only the output tells
        Path bomb = HostileSamples.flacWithoutLength(samples, 600);
        assertThat(Files.size(bomb)).isLessThan(200_000);
        List<JobView> jobs = List.of(alice.upload(bomb), alice.upload(bomb, Map.of("quality", "2")),
                alice.upload(bomb, Map.of("bitrate", "320k")));
        for (JobView job : jobs) {
            JobView done = alice.awaitFinished(job.id(), Duration.ofSeconds(30));
            assertThat(done.state()).isEqualTo(JobState.FAILED);
            assertThat(done.error().code()).as("%s", done.error()).isEqualTo("too-long");
            assertThat(done.error().message()).isEqualTo("the audio goes on past the limit of 30 s");
            assertThat(mp3Blobs(setup, done.id())).isZero();
        }
        // the same file within the limit converts
        JobView fine = alice.awaitFinished(alice.upload(HostileSamples.flacWithoutLength(samples, 20)).id(),
                Duration.ofSeconds(30));
        assertThat(fine.state()).as("%s", fine.error()).isEqualTo(JobState.DONE);
    }

    @Test
    void anInternalErrorShowsTheOwnerNoServerPath() throws Exception {
        Path video = HostileSamples.secret(samples);
        JobView job;
        try (Mp3convServer gateway = ServerWithFakeAuth.start(dataDir, Map.of())) {
            job = new MediaApi(gateway.port(), ServerWithFakeAuth.ALICE_TOKEN).upload(video);
        }
        // the blob's file became a directory (a broken disk, a hand-made mess): linking it fails with both paths
        Path blob = dataDir.resolve("blobs").resolve(job.videoFid().substring(30)).resolve(job.videoFid());
        Files.delete(blob);
        Files.createDirectory(blob);
        MediaApi alice = start(Setup.FILES_DEBIAN, Map.of("converter.max-attempts", "1"));
        JobView done = alice.awaitFinished(job.id(), Duration.ofSeconds(30));
        assertThat(done.error().code()).isEqualTo("internal-error");
        assertThat(done.error().message()).startsWith("conversion failed 1 times; last error: ")
                .contains("<path>").doesNotContain(dataDir.toString()).doesNotContain(job.videoFid());
        assertClean(done.error().message());
    }

    /**
     * Awaits each job (sample name to job id) and asserts that it failed as invalid media refused by the
     * allow-lists, with a clean message.
     *
     * @return the finished jobs by sample name
     */
    private Map<String, JobView> awaitRefused(MediaApi alice, Map<String, String> jobs) throws Exception {
        Map<String, JobView> finished = new LinkedHashMap<>();
        for (Map.Entry<String, String> job : jobs.entrySet()) {
            JobView done = alice.awaitFinished(job.getValue(), Duration.ofSeconds(60));
            assertThat(done.state()).as(job.getKey()).isEqualTo(JobState.FAILED);
            assertThat(done.error().code()).as(job.getKey()).isEqualTo("invalid-media");
            assertThat(done.error().message()).as(job.getKey()).contains(ALLOW_LIST_REFUSAL);
            assertClean(done.error().message());
            finished.put(job.getKey(), done);
        }
        return finished;
    }

    private MediaApi start(Setup setup, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of("app.roles", "gateway,converter",
                "converter.concurrency", "2"));
        if (setup == Setup.GRIDFS_DEBIAN) {
            MemoryMongo mongo = MemoryMongo.start("hostile");
            opened.add(mongo);
            config.put("mongodb.uri", mongo.uri());
            config.put("mongodb.database", "hostile");
            mongoOf.put(setup, mongo);
        }
        config.put("converter.ffmpeg", setup == Setup.FILES_BUNDLED ? "bundled" : MediaSamples.FFMPEG);
        config.putAll(extra);
        Mp3convServer server = ServerWithFakeAuth.start(dataDir, config);
        opened.add(server);
        return new MediaApi(server.port(), ServerWithFakeAuth.ALICE_TOKEN);
    }

    private final Map<Setup, MemoryMongo> mongoOf = new HashMap<>();

    /** MP3 blobs stored for a job, read from the store's own data. */
    private long mp3Blobs(Setup setup, String jobId) throws IOException {
        if (setup == Setup.GRIDFS_DEBIAN) {
            return mongoOf.get(setup).collection("fs.files").countDocuments(
                    Filters.and(Filters.eq("metadata.job_id", jobId), Filters.eq("metadata.content_type", "audio/mpeg")));
        }
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs"))) {
            return files.filter(p -> p.toString().endsWith(".json")).filter(p -> {
                try {
                    String sidecar = Files.readString(p);
                    return sidecar.contains(jobId) && sidecar.contains("audio/mpeg");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }

    private static Map<String, Path> containersCache;

    private static synchronized Map<String, Path> containers() throws IOException {
        if (containersCache == null) {
            containersCache = HostileSamples.containers(Files.createDirectories(samples.resolve("containers")));
        }
        return containersCache;
    }

    private List<String> ffmpegReading(String jobId) {
        return ProcessHandle.current().descendants()
                .flatMap(p -> p.info().arguments().map(List::of).stream())
                .filter(a -> a.contains("-format_whitelist") && String.join(" ", a).contains("/" + jobId + "-"))
                .findFirst().orElse(null);
    }

    private void assertClean(String message) {
        assertThat(message).doesNotContain(dataDir.toString()).doesNotContain(samples.toString())
                .doesNotContainPattern("[0-9a-f]{24}").doesNotContainPattern("[\\p{Cc}\\p{Cf}]");
    }

    private static String plainFfmpeg(String input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(MediaSamples.FFMPEG, "-hide_banner", "-nostdin", "-i", input, "-vn",
                "-f", "null", "-").directory(samples.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output;
    }

    private static int hits(String name) {
        AtomicInteger count = HITS.get(name);
        return count == null ? 0 : count.get();
    }

    private static String canaryUrl(String name) {
        return "http://127.0.0.1:" + canary.getAddress().getPort() + "/" + name;
    }
}
