package dev.mp3conv.server.converter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;

/**
 * How one job's audio becomes MP3: the ffmpeg output options and audio filters, what bitrate to record on
 * the job, and whether the MP3 carries a Xing/LAME header. VBR output and stream copies need it: the MP3
 * muxer writes it (frame count, hence the duration players show) by seeking back to the start of the file
 * ffmpeg writes. CBR needs no such header and is written without one, the bytes it had when it streamed.
 *
 * <p>ffmpeg itself brings the audio within what libmp3lame takes (sample rates above 48 kHz down to 48 kHz,
 * more than two channels down to stereo; mono and stereo kept, lower rates kept), unless the job asks for
 * channels or a sample rate ({@link AudioFilters}). A job that asks for nothing that changes the audio first
 * tries a stream copy, which the MP3 muxer refuses at once unless the source audio is MP3; tags and the
 * cover are written around the audio, so they never need an encode.
 *
 * @param baseArgs        ffmpeg options after the input, without the filter chain
 * @param filters         the audio filters, in order (joined into one {@code -af})
 * @param recordedBitrate bitrate to record on the DONE job, null when variable or unknown
 * @param streamCopy      whether the source MP3 audio is copied as is
 * @param xingHeader      whether ffmpeg writes the Xing/LAME header (else {@code -write_xing 0})
 * @param segmentable     whether the job may be converted in segments ({@link SegmentSplitter}): not with a
 *                        trim, a sample rate change or a limiter, whose result depends on more than each
 *                        segment's own samples
 * @param options         the job's options (for the trim and whether the output's loudness is measured)
 * @param inputArgs       ffmpeg options before the input (a segment's seek), usually none
 */
record Mp3Encoding(List<String> baseArgs, List<String> filters, String recordedBitrate, boolean streamCopy,
                   boolean xingHeader, boolean segmentable, Mp3Options options, List<String> inputArgs) {
    /** CBR bitrate when the job asks for none and the source is not MP3 (or the audio must change). */
    static final String DEFAULT_BITRATE = "192k";

    private static final List<String> AUDIO_ONLY = List.of("-map", "0:a:0", "-vn", "-sn", "-dn");

    /**
     * An encoding without filters or options.
     *
     * @param codecArgs       ffmpeg options after the input
     * @param recordedBitrate bitrate to record, or null
     * @param streamCopy      whether it is a stream copy
     * @param xingHeader      whether ffmpeg writes the Xing/LAME header
     */
    Mp3Encoding(List<String> codecArgs, String recordedBitrate, boolean streamCopy, boolean xingHeader) {
        this(codecArgs, List.of(), recordedBitrate, streamCopy, xingHeader, true, Mp3Options.NONE);
    }

    Mp3Encoding {
        baseArgs = List.copyOf(baseArgs);
        filters = List.copyOf(filters);
        inputArgs = List.copyOf(inputArgs);
    }

    private Mp3Encoding(List<String> baseArgs, List<String> filters, String recordedBitrate, boolean streamCopy,
                        boolean xingHeader, boolean segmentable, Mp3Options options) {
        this(baseArgs, filters, recordedBitrate, streamCopy, xingHeader, segmentable, options, List.of());
    }

    /**
     * What ffmpeg runs first for a job: the encoding it asks for, or a stream copy when it asks for
     * nothing that changes the audio (if the source is not MP3, {@link #standard()} follows).
     *
     * @param job the job (options asked, loudness measured)
     * @return the plan
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding first(Job job) throws MediaRejectedException {
        return first(job, 0);
    }

    /**
     * {@link #first(Job)}, knowing the source's sample rate (which a limiter, running oversampled, returns to).
     *
     * @param job        the job
     * @param sourceRate the source's sample rate, 0 when unknown
     * @return the plan
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding first(Job job, int sourceRate) throws MediaRejectedException {
        Mp3Options options = options(job);
        if (options.bitrate() == null && options.quality() == null && !options.changesAudio()) {
            List<String> args = new ArrayList<>(AUDIO_ONLY);
            args.addAll(List.of("-c:a", "copy"));
            return new Mp3Encoding(args, List.of(), null, true, true, true, options);
        }
        if (options.loudness() != null && job.loudness() == null) {
            throw new IllegalStateException("job " + job.id() + ": loudness asked but not measured");
        }
        return encode(options, job.loudness(), sourceRate);
    }

    /**
     * The encoding of a job when its audio is not MP3 and it asks for nothing else.
     *
     * @return CBR at {@value #DEFAULT_BITRATE}
     */
    static Mp3Encoding standard() {
        return cbr(DEFAULT_BITRATE);
    }

    /**
     * The ffmpeg options after the input: the codec options and the one filter chain.
     *
     * @return options
     */
    List<String> codecArgs() {
        if (filters.isEmpty() || streamCopy) {
            return baseArgs;
        }
        List<String> args = new ArrayList<>(baseArgs);
        args.addAll(List.of("-af", String.join(",", filters)));
        return List.copyOf(args);
    }

    /**
     * This encoding limited to a part of the input (a segment): the part's filter goes first, so it picks
     * the decoder's samples before any other filter touches them.
     *
     * @param inputArgs options before the input (the part's seek), or none
     * @param filter    the part's filter (it may hold side branches; its unlabelled output feeds the job's filters)
     * @param extraArgs options for the part's output
     * @return a file encoding of the part
     */
    Mp3Encoding part(List<String> inputArgs, String filter, List<String> extraArgs) {
        List<String> chain = new ArrayList<>();
        chain.add(filter);
        chain.addAll(filters);
        List<String> args = new ArrayList<>(baseArgs);
        args.addAll(extraArgs);
        return new Mp3Encoding(args, chain, recordedBitrate, false, true, segmentable, options, inputArgs);
    }

    /**
     * How long the MP3 of an input this long should be: the trimmed part of it.
     *
     * @param inputSeconds the input's (audio) duration, when known
     * @return seconds, when known
     */
    OptionalDouble expectedSeconds(OptionalDouble inputSeconds) {
        if (!options.trimmed() || inputSeconds.isEmpty()) {
            return inputSeconds;
        }
        double from = options.start() == null ? 0 : options.start();
        double to = options.end() == null ? inputSeconds.getAsDouble() : Math.min(options.end(), inputSeconds.getAsDouble());
        return OptionalDouble.of(Math.max(0, to - from));
    }

    /**
     * Why the trim cannot be done on an input this long: it starts at or past the end of the audio.
     *
     * @param inputSeconds the input's (audio) duration, when known
     * @return the reason for the owner, empty when the trim is possible or unknowable
     */
    Optional<String> impossibleTrim(OptionalDouble inputSeconds) {
        return impossibleTrim(options, inputSeconds);
    }

    /**
     * Why a trim cannot be done on an input this long: it starts at or past the end of the audio.
     *
     * @param options      the job's options
     * @param inputSeconds the input's (audio) duration, when known
     * @return the reason for the owner, empty when the trim is possible or unknowable
     */
    static Optional<String> impossibleTrim(Mp3Options options, OptionalDouble inputSeconds) {
        if (options.start() == null || inputSeconds.isEmpty() || options.start() < inputSeconds.getAsDouble()) {
            return Optional.empty();
        }
        return Optional.of("start " + Mp3Options.clock(options.start()) + " is past the end of the audio ("
                + Mp3Options.clock(inputSeconds.getAsDouble()) + ")");
    }

    /**
     * The bitrate to record once the probe has described the source.
     *
     * @param audio the probed audio stream
     * @return the bitrate asked, or for a stream copy the source's own when stated
     */
    Optional<String> bitrateFor(MediaInfo.AudioStream audio) {
        if (!streamCopy) {
            return Optional.ofNullable(recordedBitrate);
        }
        return audio.bitRate().isPresent() ? Optional.of(audio.bitRate().getAsLong() / 1000 + "k") : Optional.empty();
    }

    private static Mp3Encoding encode(Mp3Options options, LoudnessReport loudness, int sourceRate) {
        List<String> args = new ArrayList<>(AUDIO_ONLY);
        args.addAll(List.of("-c:a", "libmp3lame"));
        String bitrate = options.bitrate();
        if (options.quality() != null) {
            args.addAll(List.of("-q:a", options.quality().toString()));
        } else {
            bitrate = bitrate == null ? DEFAULT_BITRATE : bitrate;
            args.addAll(List.of("-b:a", bitrate));
        }
        List<String> filters = AudioFilters.encode(options, loudness, sourceRate);
        boolean limited = loudness != null && loudness.limited();
        boolean segmentable = !options.trimmed() && options.sampleRate() == null && !limited;
        // VBR needs its Xing header; a trimmed MP3 is exactly as long as asked only with the LAME header's delay
        // and padding; a loudness job's MP3 has always had one (it was the one CBR written to a file, to be measured)
        boolean xingHeader = options.quality() != null || options.loudness() != null || options.trimmed();
        return new Mp3Encoding(args, filters, options.quality() == null ? bitrate : null, false, xingHeader, segmentable,
                options);
    }

    private static Mp3Encoding cbr(String bitrate) {
        List<String> args = new ArrayList<>(AUDIO_ONLY);
        args.addAll(List.of("-c:a", "libmp3lame", "-b:a", bitrate));
        return new Mp3Encoding(args, bitrate, false, false);
    }

    // the gateway checked these already; a job stored by an older gateway or edited in the store
    // is held to the same rule here
    private static Mp3Options options(Job job) throws MediaRejectedException {
        try {
            return job.options();
        } catch (IllegalArgumentException e) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, e.getMessage());
        }
    }
}
