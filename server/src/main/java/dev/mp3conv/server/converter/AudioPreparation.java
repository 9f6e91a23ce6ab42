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
 * the job's time budget and {@code converter.max-duration} apply to it. A job that asks for no loudness has
 * no tag read before its conversion: the conversion's own run reads the tags
 * ({@link Mp3Transcoder.Tagging#fromRun}).
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
     * @param encoding what ffmpeg runs first; null (as {@code tagging}) when the conversion was stopped meanwhile
     * @param tagging  the ID3v2 tag of its MP3 (the tags and the cover), or how the run makes it from the tags it
     *                 reads
     * @param read     what a tag read before the run saw of the input (its summary plans a split before any
     *                 run; the tags with the title and artist asked): only a loudness job has one
     */
    record Prepared(Job job, Mp3Encoding encoding, Mp3Transcoder.Tagging tagging, Optional<SourceTags.Read> read) {
    }

    /**
     * Prepares a claimed job.
     *
     * @param conversion the conversion (holding the job's lease, as {@link RunningConversion#owner})
     * @param input      the input address
     * @param onSummary  told what ffmpeg found in the input (the duration: the conversion's budget follows it)
     * @return the job ready to encode
     * @throws MediaRejectedException when the options are not allowed, cannot be done on this input, or the
     *                                input cannot be read
     * @throws IOException            when ffmpeg cannot run
     * @throws InterruptedException   when interrupted
     */
    Prepared prepare(RunningConversion conversion, String input, Consumer<MediaInfo> onSummary)
            throws MediaRejectedException, IOException, InterruptedException {
        Job job = conversion.job();
        Mp3Options options = options(job);
        if (options.loudness() == null) {
            // no run before the conversion but a cover's: the conversion's run prints the source's tags itself
            byte[] cover = options.cover() && conversion.stopped().isEmpty() ? grab(conversion, input, job) : null;
            return new Prepared(job, Mp3Encoding.first(job), Mp3Transcoder.Tagging.fromRun(job.filename(),
                    source -> Id3v2Tag.of(source.withOverrides(options.title(), options.artist()), cover)),
                    Optional.empty());
        }
        // the measurement decodes the whole input before the conversion: its tags are read first, and the
        // summary of that read plans a split before any whole-job run
        SourceTags.Read read = probe.tagsAndSummary(input, job.filename(), conversion::attachHelper);
        SourceTags tags = read.tags().withOverrides(options.title(), options.artist());
        byte[] cover = options.cover() && conversion.stopped().isEmpty() && read.opened() ? grab(conversion, input, job)
                : null;
        Optional<SourceTags.Read> kept = Optional.of(new SourceTags.Read(tags, read.media(), read.opened()));
        if (conversion.stopped().isPresent()) {
            return new Prepared(job, null, null, kept);
        }
        LoudnessMeasurement.Measured measured;
        try {
            measured = loudness.input(input, options, settings.timeoutFor(settings.limits().maxSeconds()),
                    conversion::attachHelper, onSummary);
        } catch (MediaRejectedException | IOException e) {
            if (conversion.stopped().isPresent()) {
                // killed by a stop (too long, the budget, a lost lease, shutdown): the caller ends on it
                return new Prepared(job, null, null, kept);
            }
            throw e;
        }
        Optional<String> impossible = Mp3Encoding.impossibleTrim(options, measured.media().expectedAudioSeconds());
        if (impossible.isPresent()) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, impossible.get());
        }
        int sourceRate = measured.media().audio().map(MediaInfo.AudioStream::sampleRate).orElse(0);
        LoudnessReport plan = AudioFilters.plan(options.loudness(), measured.lufs(), measured.truePeakDbtp());
        if (plan.limited()) {
            try {
                plan = refineLimitedGain(conversion, input, options, plan, sourceRate);
            } catch (MediaRejectedException | IOException e) {
                if (conversion.stopped().isPresent()) {
                    return new Prepared(job, null, null, kept);
                }
                throw e;
            }
        }
        // recorded under this worker's lease before any segment exists: each segment reads this gain
        if (!jobs.recordLoudness(job.id(), conversion.owner(), plan)) {
            conversion.stop(RunningConversion.Stop.LEASE_LOST);
        }
        job = job.withLoudness(plan);
        LOG.log(System.Logger.Level.DEBUG, "job {0}: input {1} LUFS, {2} dBTP, gain {3} dB{4}", job.id(),
                plan.inputLufs(), plan.inputTruePeakDbtp(), plan.gainDb(), plan.limited() ? " (limited)" : "");
        return new Prepared(job, Mp3Encoding.first(job, sourceRate),
                Mp3Transcoder.Tagging.given(Id3v2Tag.of(tags, cover)), kept);
    }

    /**
     * The MP3's tags for a split (kept on the stitch unit): those a tag read before the run found, else those the
     * run printed as it was asked to end for the split ({@link Mp3Transcoder.Result#splitTags}), else read now
     * (the run was killed before it printed them: it did not end within its grace). This read is not attached to
     * the conversion, whose stop (the split's) would kill it at once; its own timeout bounds it.
     *
     * @param prepared the prepared job
     * @param run      the run ended for the split
     * @param input    the input address
     * @return the tags, with the title and artist the job asked for
     * @throws IOException          when ffmpeg cannot run
     * @throws InterruptedException when interrupted
     */
    SourceTags tagsForSplit(Prepared prepared, Mp3Transcoder.Result run, String input)
            throws IOException, InterruptedException {
        if (prepared.read().isPresent()) {
            return prepared.read().get().tags();
        }
        if (run.splitTags().isPresent()) {
            return withOverrides(run.splitTags().get(), prepared.job());
        }
        LOG.log(System.Logger.Level.DEBUG, "job {0}: the run ended for segments printed no tags, read again",
                prepared.job().id());
        return withOverrides(probe.tags(input, prepared.job().filename(), helper -> { }), prepared.job());
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
     * The cover of a job that asks for one, read from its input (the stitch step of a segmented job).
     *
     * @param conversion the conversion (its stop kills the runs)
     * @param job        the job
     * @param blobs      the blob store
     * @param loopback   the loopback endpoint
     * @param scratch    the converter's scratch directory
     * @return the JPEG, or null when not asked, absent or unreadable
     * @throws InterruptedException when interrupted
     */
    byte[] cover(RunningConversion conversion, Job job, dev.mp3conv.server.storage.BlobStore blobs,
                 LoopbackMediaServer loopback, ConverterScratch scratch) throws InterruptedException {
        boolean asked;
        try {
            asked = job.options().cover();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!asked) {
            return null;
        }
        try (JobInput input = JobInput.open(job, blobs, loopback, scratch)) {
            return grab(conversion, input.address(), job);
        } catch (IOException | MediaRejectedException e) {
            LOG.log(System.Logger.Level.INFO, "job {0}: no cover for the stitched MP3: {1}", job.id(), e.getMessage());
            return null;
        }
    }

    /**
     * Tags with the job's own title and artist where it asked for them.
     *
     * @param tags the source's tags
     * @param job  the job
     * @return the tags
     */
    static SourceTags withOverrides(SourceTags tags, Job job) {
        try {
            Mp3Options options = job.options();
            return tags.withOverrides(options.title(), options.artist());
        } catch (IllegalArgumentException e) {
            // the options were refused when the job was prepared; the source's tags stay
            return tags;
        }
    }

    private byte[] grab(RunningConversion conversion, String input, Job job) throws InterruptedException {
        try {
            byte[] cover = covers.grab(input, COVER_TIMEOUT, conversion::attachHelper).orElse(null);
            if (cover == null) {
                LOG.log(System.Logger.Level.DEBUG, "job {0}: the source has no picture for a cover", job.id());
            }
            return cover;
        } catch (IOException e) {
            // the cover is an extra: the conversion says whether the input can be read at all
            LOG.log(System.Logger.Level.INFO, "job {0}: no cover: {1}", job.id(), e.getMessage());
            return null;
        }
    }

    private static Mp3Options options(Job job) throws MediaRejectedException {
        try {
            return job.options();
        } catch (IllegalArgumentException e) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, e.getMessage());
        }
    }
}
