package dev.mp3conv.server.converter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;

/**
 * The ffmpeg audio filter chain of a job's options, in the order that keeps the loudness measurement and the
 * encode on the same signal: the trim ({@code atrim}, sample-exact, before anything else touches the
 * samples), the channels and sample rate ({@code aformat}/{@code aresample}: the same downmix and resampler
 * ffmpeg's {@code -ac}/{@code -ar} would insert, but inside the graph, so the measurement hears the mono
 * signal it normalises), then the loudness gain.
 *
 * <p>Loudness (EBU R128): the input's integrated loudness I and true peak TP are measured first over the
 * whole part converted ({@link LoudnessMeasurement}); the gain is {@code target − I}. When
 * {@code TP + gain} stays under the ceiling the gain is one linear {@code volume}: sample-wise, so every
 * segment of a long job applies the same gain and the stitched MP3 equals a single run's. When it does not,
 * a true-peak limiter runs on a 4× oversampled signal ({@code alimiter} at 192 kHz, then back to the
 * output rate); a limiter carries state from the samples before, so such a job converts in one run
 * ({@link Mp3Encoding#segmentable()}). The ceiling is {@value #CEILING_DBTP} dBTP: the promised −1.5 dBTP
 * minus half a dB that MP3 encoding adds to peaks (measured: a limiter set to −2.0 dBTP gave MP3s of
 * −1.5 dBTP).
 */
final class AudioFilters {
    /** True peak the filters aim under, dBTP. */
    static final double CEILING_DBTP = -2.0;
    /** Integrated loudness ffmpeg reports for silence (its absolute gate): nothing to normalise. */
    static final double SILENCE_LUFS = -70.0;
    private static final int OVERSAMPLED = 192_000;
    private static final Set<Integer> LAME_RATES = Set.of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000);

    private AudioFilters() {
    }

    /**
     * The filters that shape the audio before any gain: trim, channels, sample rate.
     *
     * @param options the job's options
     * @return filters, possibly none
     */
    static List<String> shape(Mp3Options options) {
        List<String> filters = new ArrayList<>();
        if (options.trimmed()) {
            StringBuilder trim = new StringBuilder("atrim=");
            if (options.start() != null) {
                trim.append("start=").append(seconds(options.start()));
            }
            if (options.end() != null) {
                trim.append(options.start() != null ? ":" : "").append("end=").append(seconds(options.end()));
            }
            filters.add(trim.toString());
            filters.add("asetpts=PTS-STARTPTS");
        }
        if (options.channels() != null) {
            filters.add("aformat=channel_layouts=" + options.channelsName());
        }
        if (options.sampleRate() != null) {
            filters.add("aresample=" + options.sampleRate());
        }
        return List.copyOf(filters);
    }

    /**
     * The filters of the measurement pass: the shape, then {@code ebur128} with true peak.
     *
     * @param options the job's options
     * @return filters
     */
    static List<String> measure(Mp3Options options) {
        List<String> filters = new ArrayList<>(shape(options));
        // framelog=verbose: the per-100-ms lines stay below the info level; the summary is printed at the end
        filters.add("ebur128=peak=true:framelog=verbose");
        return List.copyOf(filters);
    }

    /**
     * The filters of the encode.
     *
     * @param options    the job's options
     * @param loudness   the input's measurement and the planned gain, or null without loudness
     * @param sourceRate the source's sample rate, 0 when unknown (a limiter returns to it)
     * @return filters
     */
    static List<String> encode(Mp3Options options, LoudnessReport loudness, int sourceRate) {
        List<String> filters = new ArrayList<>(shape(options));
        if (options.loudness() == null || loudness == null || loudness.gainDb() == 0) {
            return List.copyOf(filters);
        }
        String volume = String.format(Locale.ROOT, "volume=%.2fdB", loudness.gainDb());
        if (!loudness.limited()) {
            filters.add(volume);
            return List.copyOf(filters);
        }
        int out = options.sampleRate() != null ? options.sampleRate() : outputRate(sourceRate);
        filters.add("aresample=" + OVERSAMPLED);
        filters.add(volume);
        filters.add(String.format(Locale.ROOT, "alimiter=limit=%.4f:attack=1:release=50:level=0",
                Math.pow(10, CEILING_DBTP / 20)));
        filters.add("aresample=" + out);
        return List.copyOf(filters);
    }

    /**
     * The gain that brings a measured input to the target, and whether the peak allows it as a linear gain.
     *
     * @param target       target integrated loudness, LUFS
     * @param inputLufs    the input's integrated loudness
     * @param truePeakDbtp the input's true peak
     * @return the plan (no output measurement yet)
     */
    static LoudnessReport plan(double target, double inputLufs, double truePeakDbtp) {
        if (inputLufs <= SILENCE_LUFS) {
            return new LoudnessReport(inputLufs, truePeakDbtp, 0, false, null, null);
        }
        double gain = Math.round((target - inputLufs) * 100) / 100.0;
        return new LoudnessReport(inputLufs, truePeakDbtp, gain, truePeakDbtp + gain > CEILING_DBTP, null, null);
    }

    /** The rate LAME encodes a source of this rate at, as ffmpeg would pick it. */
    static int outputRate(int sourceRate) {
        if (LAME_RATES.contains(sourceRate)) {
            return sourceRate;
        }
        if (sourceRate <= 0 || sourceRate > 48_000) {
            return sourceRate <= 0 ? 44_100 : 48_000;
        }
        return LAME_RATES.stream().filter(rate -> rate > sourceRate).min(Integer::compare).orElse(48_000);
    }

    private static String seconds(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
