package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mp3conv.model.Json;

/**
 * Describes an input when the conversion's own summary is not enough (the MP3 came out shorter than
 * the container says, so the audio stream's own duration is wanted) and reads the tags the MP3 gets:
 * with ffprobe's JSON when ffprobe sits beside ffmpeg, else by reading the stream summary
 * {@code ffmpeg -i} prints ({@link FfmpegLog#parseSummary}; the bundled static build has no ffprobe).
 * An input ffmpeg cannot open is rejected with ffmpeg's own one-line reason.
 */
final class MediaProbe {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = Json.mapper();

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
        return new MediaInfo(positiveDouble(root.path("format").path("duration").asText("")), audio,
                root.path("format").path("format_name").asText(""));
    }

    private MediaInfo withFfmpeg(String input, Consumer<FfmpegProcess> started) throws MediaRejectedException, IOException {
        List<String> command = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin"));
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input));
        FfmpegProcess run = FfmpegProcess.run(command, input, TIMEOUT, started);
        List<String> lines = run.diagnostics();
        if (!FfmpegLog.opened(lines)) {
            throw InputAllowList.rejection(run.reason());
        }
        return FfmpegLog.parseSummary(lines);
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
