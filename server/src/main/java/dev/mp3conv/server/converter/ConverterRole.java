package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.mp3conv.server.Backend;
import dev.mp3conv.server.RoleComponent;
import dev.mp3conv.server.StartupException;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.jobs.StreamClaims;
import dev.mp3conv.server.jobs.SweeperSettings;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * The converter role: consumes {@code video} with {@code converter.concurrency} conversions at once,
 * runs ffmpeg, stores the MP3, publishes {@code mp3}. Closing it stops consuming, kills the ffmpeg
 * processes in flight and releases their jobs so another worker takes them at once.
 */
public final class ConverterRole implements RoleComponent {
    private static final System.Logger LOG = System.getLogger(ConverterRole.class.getName());

    private final Backend backend;
    private final ConverterSettings settings;
    private final Ffmpeg ffmpeg;
    private final ConversionWorker worker;
    private final LoopbackMediaServer loopback;
    private final ConverterScratch scratch;
    private final ScheduledExecutorService ticker;
    private final String workerId;
    private final SegmentWorker segmentWorker;
    private final SegmentSweeper segmentSweeper;
    private final SweeperSettings sweeper;
    private JobQueue.Consumer consumer;

    private ConverterRole(Backend backend, ConverterSettings settings, SweeperSettings sweeper, Ffmpeg ffmpeg,
                          ConverterScratch scratch, Mp3Transcoder transcoder, String workerId) {
        this.backend = backend;
        this.settings = settings;
        this.sweeper = sweeper;
        this.ffmpeg = ffmpeg;
        this.workerId = workerId;
        this.scratch = scratch;
        this.loopback = new LoopbackMediaServer(backend.blobs());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("converter-lease").factory());
        SegmentRepository segments = new SegmentRepository(backend.mongo(), backend.clock());
        JobPublisher publisher = backend.publisher().withSegments(segments);
        MediaProbe probe = new MediaProbe(ffmpeg);
        AudioPreparation preparation = new AudioPreparation(ffmpeg, probe, backend.jobs(), settings);
        this.worker = new ConversionWorker(workerId, settings, backend.jobs(), backend.blobs(), backend.queue(),
                publisher, probe, transcoder, loopback, scratch, new ConversionMetrics(backend.meters()),
                ticker, backend.quota(), preparation);
        // long inputs in segments: new classes, wired here so the whole-job path stays as it was
        this.segmentWorker = new SegmentWorker(workerId, settings, backend.jobs(), segments, backend.blobs(),
                backend.queue(), publisher, transcoder, loopback, new ConversionMetrics(backend.meters()), ticker,
                scratch, backend.quota(), probe, preparation, new LoudnessMeasurement(ffmpeg, settings.limits()));
        this.worker.segmentLongInputs(new SegmentSplitter(settings.segments(),
                segments, backend.blobs(), publisher), segmentWorker);
        // uploads converted while they arrive (issue 24): new classes too
        this.worker.followUploads(new StreamedConversions(settings, settings.streamIdle(),
                new StreamClaims(backend.mongo(), backend.clock(), backend.jobs().changes()), backend.jobs(),
                publisher, loopback, new ConversionMetrics(backend.meters())));
        this.segmentSweeper = new SegmentSweeper(backend.jobs(), segments, backend.blobs(), publisher, sweeper.grace(),
                sweeper.stale());
    }

    /**
     * Creates the role: resolves (and if needed extracts) ffmpeg and logs which one is used.
     *
     * @param backend  shared infrastructure
     * @param settings the {@code converter} settings
     * @param sweeper  the {@code sweeper} settings (for the segment sweeper)
     * @return the role
     * @throws StartupException when no usable ffmpeg exists or the data directory cannot be used
     */
    public static ConverterRole create(Backend backend, ConverterSettings settings, SweeperSettings sweeper) {
        Ffmpeg ffmpeg = Ffmpeg.resolve(settings.ffmpeg(), backend.dataDir());
        String workerId = newWorkerId();
        LOG.log(System.Logger.Level.INFO, "converter {0}: ffmpeg {1} ({2}), audio stream durations from {3} when needed; {4} conversion(s) at once",
                workerId, ffmpeg.executable(), ffmpeg.origin(),
                ffmpeg.ffprobe().map(Object::toString).orElse("ffmpeg -i (no ffprobe beside it)"),
                String.valueOf(settings.concurrency()));
        ConverterScratch scratch = null;
        try {
            scratch = ConverterScratch.open(backend.dataDir().resolve("converter-tmp"), workerId);
            Mp3Transcoder transcoder = new Mp3Transcoder(ffmpeg, backend.blobs(), scratch.dir(), settings.limits());
            return new ConverterRole(backend, settings, sweeper, ffmpeg, scratch, transcoder, workerId);
        } catch (IOException e) {
            if (scratch != null) {
                scratch.close();
            }
            throw new StartupException("cannot use " + backend.dataDir() + " for conversion files: " + e.getMessage(), e);
        }
    }

    private static String newWorkerId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "converter");
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return host + "-" + HexFormat.of().formatHex(random);
    }

    /**
     * The settings this role runs with.
     *
     * @return the {@code converter} settings
     */
    public ConverterSettings settings() {
        return settings;
    }

    /**
     * The sweeper settings this role's segment sweeper runs with.
     *
     * @return the {@code sweeper} settings
     */
    public SweeperSettings sweeperSettings() {
        return sweeper;
    }

    /**
     * This worker's id, written as the lease owner of the jobs it converts.
     *
     * @return id
     */
    public String workerId() {
        return workerId;
    }

    /**
     * The ffmpeg executable in use.
     *
     * @return path
     */
    public java.nio.file.Path ffmpegExecutable() {
        return ffmpeg.executable();
    }

    @Override
    public synchronized void start() {
        consumer = backend.queue().consume(Topic.VIDEO, settings.concurrency(), worker);
        segmentSweeper.start(sweeper.interval());
    }

    @Override
    public List<HealthCheck> healthChecks() {
        return List.of(new HealthCheck() {
            @Override
            public String name() {
                return "ffmpeg";
            }

            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public HealthCheckResponse call() {
                // no path in the answer: health is read without credentials (the log names the executable)
                return HealthCheckResponse.builder().status(Files.isExecutable(ffmpeg.executable())).build();
            }
        });
    }

    @Override
    public synchronized void close() {
        // kill first: the consumer waits for in-flight handlers, which end once their ffmpeg is gone
        worker.stop();
        segmentWorker.stop();
        segmentSweeper.close();
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        ticker.shutdownNow();
        loopback.close();
        scratch.close();
    }
}
