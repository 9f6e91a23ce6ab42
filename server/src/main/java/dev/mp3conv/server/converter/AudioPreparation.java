package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobRepository;

/**
 * What a job's options need before its audio is encoded (issue 23): its tags (the source's, with the
 * title and artist it asked for), its cover, and, for loudness normalisation, one measurement of the whole
 * input (the part converted) and the gain planned from it, recorded on the job so that every segment of a
 * long job applies the same gain ({@link AudioFilters}). Each is an ffmpeg run with the conversion's
 * allow-lists, killed by its stop; a measurement learns the input's duration like the conversion would, so
 * the job's time budget and {@code converter.max-duration} apply to it.
 */
final class AudioPreparation {
    private static final System.Logger LOG = System.getLogger(AudioPreparation.class.getName());
    /** How long one cover run may take (it reads a header and decodes one picture). */
    private static final Duration COVER_TIMEOUT = Duration.ofMinutes(1);
    /** At most this many measurements of a limited chain refine its gain. */
    static final int LIMITER_ROUNDS = 3;
    /** A limited chain this close to the target is kept, LU. */
    static final double LIMITER_TOLERANCE_LU = 0.3;

    private final MediaProbe probe;
    private final LoudnessMeasurement loudness;
    private final CoverArt covers;
    private final JobRepository jobs;
    private final ConverterSettings settings;

    AudioPreparation(Ffmpeg ffmpeg, MediaProbe probe, JobRepository jobs, ConverterSettings settings) {
        this.probe = probe;
        this.loudness = new LoudnessMeasurement(ffmpeg, settings.limits());
        this.covers = new CoverArt(ffmpeg);
        this.jobs = jobs;
        this.settings = settings;
    }

    /**
     * A job ready to encode.
     *
     * @param job      the job, with its loudness measurement when it asked for loudness
     * @param encoding what ffmpeg runs first
     * @param id3      the ID3v2 tag of its MP3
     */
    record Prepared(Job job, Mp3Encoding encoding, byte[] id3) {
    }

    /**
     * Prepares a claimed job.
     *
     * @param conversion the conversion (holding the job's lease)
     * @param input      the input address
     * @param workerId   the worker holding the lease
     * @param onSummary  told what ffmpeg found in the input (the duration: the conversion's budget follows it)
     * @return the job ready to encode
     * @throws MediaRejectedException when the options are not allowed, cannot be done on this input, or the
     *                                input cannot be read
     * @throws IOException            when ffmpeg cannot run
     * @throws InterruptedException   when interrupted
     */
    Prepared prepare(RunningConversion conversion, String input, String workerId, Consumer<MediaInfo> onSummary)
            throws MediaRejectedException, IOException, InterruptedException {
        Job job = conversion.job();
        Mp3Options options = options(job);
        byte[] id3 = id3(conversion, input, job, options);
        int sourceRate = 0;
        if (options.loudness() != null && conversion.stopped().isEmpty()) {
            LoudnessMeasurement.Measured measured = loudness.input(input, options,
                    settings.timeoutFor(settings.limits().maxSeconds()), conversion::attachHelper, onSummary);
            Optional<String> impossible = Mp3Encoding.impossibleTrim(options, measured.media().expectedAudioSeconds());
            if (impossible.isPresent()) {
                throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, impossible.get());
            }
            sourceRate = measured.media().audio().map(MediaInfo.AudioStream::sampleRate).orElse(0);
            LoudnessReport plan = AudioFilters.plan(options.loudness(), measured.lufs(), measured.truePeakDbtp());
            if (plan.limited()) {
                plan = refineLimitedGain(conversion, input, options, plan, sourceRate);
            }
            // recorded under this worker's lease before any segment exists: each segment reads this gain
            if (!jobs.recordLoudness(job.id(), workerId, plan)) {
                conversion.stop(RunningConversion.Stop.LEASE_LOST);
            }
            job = job.withLoudness(plan);
            LOG.log(System.Logger.Level.DEBUG, "job {0}: input {1} LUFS, {2} dBTP, gain {3} dB{4}", job.id(),
                    plan.inputLufs(), plan.inputTruePeakDbtp(), plan.gainDb(), plan.limited() ? " (limited)" : "");
        }
        return new Prepared(job, Mp3Encoding.first(job, sourceRate), id3);
    }

    /**
     * A limiter takes loudness away with the peaks it holds down (measured: a click track gained by 10.8 dB
     * came out 2.8 LU short), so a limited gain is checked by measuring what the limited chain makes of the
     * input and raised by the shortfall, at most {@value #LIMITER_ROUNDS} times; each round is a decode of the
     * input, and such a job is one run anyway. The ceiling holds whatever the gain.
     */
    private LoudnessReport refineLimitedGain(RunningConversion conversion, String input, Mp3Options options,
                                             LoudnessReport plan, int sourceRate)
            throws IOException, MediaRejectedException {
        LoudnessReport current = plan;
        for (int round = 0; round < LIMITER_ROUNDS && conversion.stopped().isEmpty(); round++) {
            LoudnessMeasurement.Measured limited = loudness.through(input,
                    AudioFilters.encode(options, current, sourceRate),
                    settings.timeoutFor(settings.limits().maxSeconds()), conversion::attachHelper);
            double shortfall = options.loudness() - limited.lufs();
            if (Math.abs(shortfall) <= LIMITER_TOLERANCE_LU) {
                break;
            }
            current = new LoudnessReport(current.inputLufs(), current.inputTruePeakDbtp(),
                    Math.round((current.gainDb() + shortfall) * 100) / 100.0, true, null, null);
        }
        return current;
    }

    /**
     * The ID3v2 tag of a job's MP3: the source's tags with the title and artist it asked for, and its cover
     * when it asked for one.
     *
     * @param conversion the conversion (its stop kills the runs)
     * @param input      the input address
     * @param job        the job
     * @return the tag's bytes
     * @throws MediaRejectedException when the job's options are not allowed
     * @throws IOException            when ffmpeg cannot run
     * @throws InterruptedException   when interrupted
     */
    byte[] id3(RunningConversion conversion, String input, Job job)
            throws MediaRejectedException, IOException, InterruptedException {
        return id3(conversion, input, job, options(job));
    }

    /**
     * The tag when the input cannot be read for it: the job's own title (else the file name) and artist.
     *
     * @param job the job
     * @return the tag's bytes
     */
    static byte[] fallbackId3(Job job) {
        SourceTags tags = SourceTags.of(Map.of(), job.filename());
        try {
            Mp3Options options = job.options();
            tags = tags.withOverrides(options.title(), options.artist());
        } catch (IllegalArgumentException e) {
            // the options were refused when the job was prepared; the file name stays
        }
        return Id3v2Tag.of(tags);
    }

    private byte[] id3(RunningConversion conversion, String input, Job job, Mp3Options options)
            throws IOException, InterruptedException {
        SourceTags tags = probe.tags(input, job.filename(), conversion::attachHelper)
                .withOverrides(options.title(), options.artist());
        byte[] cover = null;
        if (options.cover() && conversion.stopped().isEmpty()) {
            cover = covers.grab(input, COVER_TIMEOUT, conversion::attachHelper).orElse(null);
            if (cover == null) {
                LOG.log(System.Logger.Level.DEBUG, "job {0}: the source has no picture for a cover", job.id());
            }
        }
        return Id3v2Tag.of(tags, cover);
    }

    private static Mp3Options options(Job job) throws MediaRejectedException {
        try {
            return job.options();
        } catch (IllegalArgumentException e) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, e.getMessage());
        }
    }
}
