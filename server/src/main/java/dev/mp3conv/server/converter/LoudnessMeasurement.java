package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mp3conv.model.Mp3Options;

/**
 * Measures integrated loudness and true peak (EBU R128) with ffmpeg's {@code ebur128} filter: of a job's
 * input before it is converted (the whole part converted, through the same trim/channel/rate filters as the
 * encode, see {@link AudioFilters}) and of the MP3 that came out. Each is an ffmpeg run like the conversion:
 * the same demuxer and protocol allow-lists, the same {@code -t} limit on how much audio it decodes, a
 * timeout, and the owner's stop kills it.
 */
final class LoudnessMeasurement {
    // the filter's own summary, printed last: "I: -21.8 LUFS" and "Peak: -17.7 dBFS" (true peak with peak=true);
    // these lines carry no level tag and sit after every line of the input's summary
    private static final Pattern INTEGRATED = Pattern.compile("^I:\\s+(-?\\d+(?:\\.\\d+)?) LUFS$");
    private static final Pattern PEAK = Pattern.compile("^Peak:\\s+(-?\\d+(?:\\.\\d+)?|-inf) dBFS$");

    private final Ffmpeg ffmpeg;
    private final MediaLimits limits;

    LoudnessMeasurement(Ffmpeg ffmpeg, MediaLimits limits) {
        this.ffmpeg = ffmpeg;
        this.limits = limits;
    }

    /**
     * What a run measured.
     *
     * @param lufs         integrated loudness
     * @param truePeakDbtp true peak
     * @param media        ffmpeg's summary of what it read
     */
    record Measured(double lufs, double truePeakDbtp, MediaInfo media) {
    }

    /**
     * Measures a job's input as its options shape it.
     *
     * @param input     the input address
     * @param options   the job's options
     * @param timeout   how long the run may take
     * @param started   told of the process (so that a stop kills it)
     * @param onSummary told what ffmpeg found in the input as soon as it says so
     * @return the measurement
     * @throws IOException            when ffmpeg cannot run or runs out of time
     * @throws MediaRejectedException when ffmpeg cannot read the input or it has no audio
     */
    Measured input(String input, Mp3Options options, Duration timeout, Consumer<FfmpegProcess> started,
                   Consumer<MediaInfo> onSummary) throws IOException, MediaRejectedException {
        return run(input, AudioFilters.measure(options), timeout, started, onSummary);
    }

    /**
     * Measures a job's input through the filters of its encode (a limited gain: how loud the limiter leaves it).
     *
     * @param input   the input address
     * @param filters the encode's filters
     * @param timeout how long the run may take
     * @param started told of the process
     * @return the measurement of what the filters make of the input
     * @throws IOException            when ffmpeg cannot run or runs out of time
     * @throws MediaRejectedException when ffmpeg cannot read the input
     */
    Measured through(String input, List<String> filters, Duration timeout, Consumer<FfmpegProcess> started)
            throws IOException, MediaRejectedException {
        List<String> chain = new ArrayList<>(filters);
        chain.add("ebur128=peak=true:framelog=verbose");
        return run(input, chain, timeout, started, media -> { });
    }

    /**
     * Measures an MP3 file.
     *
     * @param mp3     the file
     * @param timeout how long the run may take
     * @param started told of the process
     * @return the measurement
     * @throws IOException            when ffmpeg cannot run or runs out of time
     * @throws MediaRejectedException when ffmpeg cannot read it
     */
    Measured file(Path mp3, Duration timeout, Consumer<FfmpegProcess> started)
            throws IOException, MediaRejectedException {
        return run("file:" + mp3.toAbsolutePath(), AudioFilters.measure(Mp3Options.NONE), timeout, started, media -> { });
    }

    private Measured run(String input, List<String> filters, Duration timeout, Consumer<FfmpegProcess> started,
                         Consumer<MediaInfo> onSummary) throws IOException, MediaRejectedException {
        List<String> command = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin",
                "-loglevel", "level+info", "-nostats"));
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn", "-af", String.join(",", filters),
                // decodes no more audio than a conversion may write
                "-t", String.format(Locale.ROOT, "%.3f", limits.maxSeconds() + 1), "-f", "null", "-"));
        FfmpegProcess run = FfmpegProcess.run(command, input, timeout, process -> {
            started.accept(process);
            process.onSummary(lines -> onSummary.accept(FfmpegLog.parseSummary(lines)));
        });
        List<String> summary = run.summary();
        if (!FfmpegLog.opened(summary)) {
            throw InputAllowList.rejection(run.reason());
        }
        MediaInfo media = FfmpegLog.parseSummary(summary);
        if (media.audio().isEmpty()) {
            throw new MediaRejectedException(MediaRejectedException.NO_AUDIO, "the file has no audio stream");
        }
        Optional<double[]> measured = parse(run.diagnostics());
        if (run.exitCode() != 0 || measured.isEmpty()) {
            throw InputAllowList.rejection(run.reason());
        }
        // silence measures -70 LUFS and a peak of -inf, which JSON cannot carry
        return new Measured(Math.max(AudioFilters.SILENCE_LUFS, measured.get()[0]), Math.max(-150, measured.get()[1]),
                media);
    }

    /**
     * Reads the filter's summary: the last integrated loudness and true peak lines.
     *
     * @param lines ffmpeg's kept diagnostic lines
     * @return {lufs, true peak}, empty when the summary is missing
     */
    static Optional<double[]> parse(List<String> lines) {
        Double lufs = null;
        Double peak = null;
        for (String line : lines) {
            Matcher i = INTEGRATED.matcher(line);
            if (i.matches()) {
                lufs = Double.parseDouble(i.group(1));
            }
            Matcher p = PEAK.matcher(line);
            if (p.matches()) {
                peak = "-inf".equals(p.group(1)) ? Double.NEGATIVE_INFINITY : Double.parseDouble(p.group(1));
            }
        }
        if (lufs == null || peak == null) {
            return Optional.empty();
        }
        return Optional.of(new double[] {lufs, peak});
    }
}
