package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mp3conv.model.Json;

/**
 * Finds the duration and the audio stream of an input before converting it: with ffprobe's JSON
 * when ffprobe sits beside ffmpeg, else by reading the stream summary {@code ffmpeg -i} prints
 * (the bundled static build has no ffprobe). An input ffmpeg cannot open is rejected with ffmpeg's
 * own one-line reason.
 */
final class MediaProbe {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = Json.mapper();
    // anchored and at most two (four for streams inside a program) spaces in: metadata lines, which carry
    // the uploader's text, are indented further (FfmpegProcess keeps the indentation of tagged output)
    private static final Pattern DURATION = Pattern.compile("^ {0,2}Duration: (\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)");
    private static final Pattern AUDIO = Pattern.compile(
            "^ {0,4}Stream #0:\\d+\\S*: Audio: (\\w+)[^,]*(?:, (\\d+) Hz)?(?:, ([^,]+))?(?:, [^,]+)?(?:, (\\d+) kb/s)?");
    private static final Pattern CHANNELS = Pattern.compile("(\\d+) channels|(\\d+)\\.(\\d+)");

    private final Ffmpeg ffmpeg;

    MediaProbe(Ffmpeg ffmpeg) {
        this.ffmpeg = ffmpeg;
    }

    /**
     * The ID3 tags an MP3 of this input gets (see {@link SourceTags}).
     *
     * @param input    file path or URL ffmpeg reads
     * @param filename the upload's file name
     * @param started  told of the process once it runs
     * @return the tags
     * @throws IOException          when ffmpeg cannot run
     * @throws InterruptedException when interrupted
     */
    SourceTags tags(String input, String filename, Consumer<FfmpegProcess> started)
            throws IOException, InterruptedException {
        return SourceTags.read(ffmpeg, input, filename, TIMEOUT, started);
    }

    /**
     * The ID3 tags an MP3 of this input gets, with the input's summary from the same ffmpeg run
     * (see {@link SourceTags#readWithSummary}).
     *
     * @param input    file path or URL ffmpeg reads
     * @param filename the upload's file name
     * @param started  told of the process once it runs
     * @return the tags and what ffmpeg said of the input
     * @throws IOException          when ffmpeg cannot run
     * @throws InterruptedException when interrupted
     */
    SourceTags.Read tagsAndSummary(String input, String filename, Consumer<FfmpegProcess> started)
            throws IOException, InterruptedException {
        return SourceTags.readWithSummary(ffmpeg, input, filename, TIMEOUT, started);
    }

    /**
     * Probes an input.
     *
     * @param input   file path or URL ffmpeg reads
     * @param started told of the probe process once it runs (so that its owner can kill it)
     * @return what it holds
     * @throws MediaRejectedException when ffmpeg cannot read it as media
     * @throws IOException            when the probe itself cannot run
     */
    MediaInfo probe(String input, Consumer<FfmpegProcess> started) throws MediaRejectedException, IOException {
        return ffmpeg.ffprobe().isPresent() ? withFfprobe(input, started) : withFfmpeg(input, started);
    }

    private MediaInfo withFfprobe(String input, Consumer<FfmpegProcess> started) throws MediaRejectedException, IOException {
        List<String> command = new ArrayList<>(List.of(ffmpeg.ffprobe().orElseThrow().toString(), "-v", "error",
                "-print_format", "json", "-show_format", "-show_streams"));
        command.addAll(InputAllowList.options(input));
        command.add(input);
        FfmpegProcess run = FfmpegProcess.run(command, input, TIMEOUT, started);
        if (run.exitCode() != 0) {
            throw InputAllowList.rejection(run.reason());
        }
        JsonNode root = JSON.readTree(run.stdoutText());
        Optional<MediaInfo.AudioStream> audio = Optional.empty();
        for (JsonNode stream : root.path("streams")) {
            if ("audio".equals(stream.path("codec_type").asText())) {
                audio = Optional.of(new MediaInfo.AudioStream(stream.path("codec_name").asText("unknown"),
                        stream.path("sample_rate").asInt(0), stream.path("channels").asInt(0),
                        positiveLong(stream.path("bit_rate").asText("")), positiveDouble(stream.path("duration").asText(""))));
                break;
            }
        }
        return new MediaInfo(positiveDouble(root.path("format").path("duration").asText("")), audio);
    }

    private MediaInfo withFfmpeg(String input, Consumer<FfmpegProcess> started) throws MediaRejectedException, IOException {
        List<String> command = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin"));
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input));
        FfmpegProcess run = FfmpegProcess.run(command, input, TIMEOUT, started);
        List<String> lines = run.diagnostics();
        if (!opened(lines)) {
            throw InputAllowList.rejection(run.reason());
        }
        return parseSummary(lines);
    }

    /**
     * Whether ffmpeg's summary shows that it opened the input (it prints {@code Input #0} only then).
     *
     * @param lines ffmpeg's summary or stderr lines
     * @return true when the input was opened
     */
    static boolean opened(List<String> lines) {
        return lines.stream().anyMatch(line -> line.startsWith("Input #0"));
    }

    /**
     * Reads {@code ffmpeg -i}'s summary ("Duration: 00:00:04.00, …", "Stream #0:1(und): Audio: aac …").
     *
     * @param lines stderr lines
     * @return the media info
     */
    static MediaInfo parseSummary(List<String> lines) {
        OptionalDouble duration = OptionalDouble.empty();
        Optional<MediaInfo.AudioStream> audio = Optional.empty();
        for (String line : lines) {
            Matcher d = DURATION.matcher(line);
            if (duration.isEmpty() && d.find()) {
                duration = OptionalDouble.of(Integer.parseInt(d.group(1)) * 3600 + Integer.parseInt(d.group(2)) * 60
                        + Double.parseDouble(d.group(3)));
            }
            Matcher a = AUDIO.matcher(line);
            if (audio.isEmpty() && a.find()) {
                audio = Optional.of(new MediaInfo.AudioStream(a.group(1),
                        a.group(2) == null ? 0 : Integer.parseInt(a.group(2)), channels(a.group(3)),
                        a.group(4) == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(a.group(4)) * 1000),
                        OptionalDouble.empty()));
            }
        }
        return new MediaInfo(duration, audio);
    }

    static int channels(String layout) {
        if (layout == null) {
            return 0;
        }
        String text = layout.trim();
        if (text.equals("mono")) {
            return 1;
        }
        if (text.startsWith("stereo") || text.equals("downmix")) {
            return 2;
        }
        Matcher m = CHANNELS.matcher(text);
        if (m.find()) {
            return m.group(1) != null ? Integer.parseInt(m.group(1))
                    : Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
        }
        return text.equals("quad") ? 4 : 0;
    }

    private static OptionalLong positiveLong(String text) {
        try {
            long value = Long.parseLong(text);
            return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalDouble positiveDouble(String text) {
        try {
            double value = Double.parseDouble(text);
            return value > 0 ? OptionalDouble.of(value) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
