package dev.mp3conv.server.converter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one ffmpeg (or ffprobe) run wrote on stderr, read line by line and nothing else: no process,
 * no threads, no locks (its {@link FfmpegProcess} feeds it under its own lock).
 * {@code -progress} lines set {@link #outTimeSeconds()}; other lines are kept (the last few) to explain
 * a failure. A run started with {@code -loglevel level+info} tags its lines with their level: then the
 * input's summary ({@code Input #0 … Duration … Stream …}, info level, up to the output's) is kept
 * apart as {@link #summary()}, errors go to the diagnostics and warnings are dropped.
 * Every line it keeps has the input address replaced by {@code input}: it may be a loopback URL
 * carrying a per-job token, or a server path.
 */
final class FfmpegLog {
    private static final int TAIL_LINES = 200;
    private static final int SUMMARY_LINES = 500;
    private static final Pattern PROGRESS = Pattern.compile(
            "^(frame|fps|stream_\\d+_\\d+_q|bitrate|total_size|out_time_us|out_time_ms|out_time|dup_frames"
                    + "|drop_frames|speed|progress)=(.*)$");
    private static final Pattern LEVELLED = Pattern.compile(
            "^((?:\\[[^\\]]*\\] )*)\\[(panic|fatal|error|warning|info|verbose|debug|trace)\\] ?(.*)$");
    private static final Pattern IGNORED = Pattern.compile(
            "^(At least one output file must be specified|To ignore this, add a trailing '\\?' to the map\\.)$");
    // anchored and at most two (four for streams inside a program) spaces in: metadata lines, which carry
    // the uploader's text, are indented further (the summary keeps the indentation of tagged output)
    private static final Pattern DURATION = Pattern.compile("^ {0,2}Duration: (\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)");
    private static final Pattern AUDIO = Pattern.compile(
            "^ {0,4}Stream #0:\\d+\\S*: Audio: (\\w+)[^,]*(?:, (\\d+) Hz)?(?:, ([^,]+))?(?:, [^,]+)?(?:, (\\d+) kb/s)?");
    private static final Pattern INPUT = Pattern.compile("^Input #0, (\\S+), from '");
    // a tap's line: its context is the named filter itself, which an upload cannot write (text it makes ffmpeg
    // print, metadata, comes without a context prefix)
    private static final Pattern TAP_CONTEXT = Pattern.compile("^\\[ashowinfo@(\\w+) @ 0x[0-9a-f]+\\] $");
    private static final Pattern TAP_PTS = Pattern.compile("^n:\\d+ pts:(-?\\d+) ");
    private static final Pattern CHANNELS = Pattern.compile("(\\d+) channels|(\\d+)\\.(\\d+)");

    private final String input;
    private final String inputPath;
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<String> summary = new ArrayList<>();
    private final Map<String, Long> taps = new HashMap<>();
    private boolean summaryEnded;
    private double outTimeSeconds;

    /**
     * A log of a run that reads this input.
     *
     * @param input the input address to hide in what is kept
     */
    FfmpegLog(String input) {
        this.input = input;
        this.inputPath = input.startsWith("file:") ? input.substring("file:".length()) : input;
    }

    /**
     * Reads one stderr line.
     *
     * @param raw the line as ffmpeg wrote it
     * @return true when this line ended the input's summary (it is complete now)
     */
    boolean accept(String raw) {
        String line = raw.strip();
        if (line.isEmpty() || IGNORED.matcher(line).matches()) {
            return false;
        }
        Matcher progress = PROGRESS.matcher(line);
        if (progress.matches()) {
            if (!"out_time_us".equals(progress.group(1))) {
                return false;
            }
            parseMicros(progress.group(2));
            return end();
        }
        Matcher levelled = LEVELLED.matcher(line);
        if (!levelled.matches()) {
            keep(sanitize(line));
            return false;
        }
        // the summary keeps its indentation: "  Duration:" and "  Stream #0:…" sit two spaces in,
        // metadata keys and values (the uploader's text) four or more, so they cannot pose as either
        String indented = sanitize(levelled.group(1) + levelled.group(3)).stripTrailing();
        String text = indented.strip();
        switch (levelled.group(2)) {
            case "panic", "fatal", "error" -> keep(text);
            case "info" -> {
                if (tap(levelled.group(1), levelled.group(3))) {
                    return false;
                }
                if (indented.startsWith("Output #") || indented.startsWith("Stream mapping:")) {
                    return end();
                }
                if (!summaryEnded && summary.size() < SUMMARY_LINES && !text.isEmpty()) {
                    summary.add(indented);
                }
            }
            default -> {
                // warnings and chatter: not a reason, not the summary
            }
        }
        return false;
    }

    /**
     * Ends the input's summary: ffmpeg has moved on to the output, or stderr has ended.
     *
     * @return true when it was not ended before
     */
    boolean end() {
        if (summaryEnded) {
            return false;
        }
        summaryEnded = true;
        return true;
    }

    /**
     * Whether the summary is complete.
     *
     * @return true once ffmpeg moved on to the output or stderr ended
     */
    boolean summaryEnded() {
        return summaryEnded;
    }

    /**
     * The input's summary as ffmpeg printed it: empty when ffmpeg could not open the input.
     *
     * @return lines without their level tag, in order
     */
    List<String> summary() {
        return List.copyOf(summary);
    }

    /**
     * The timestamps the run's taps printed: {@code ashowinfo@name} filters in its filter graph (a segment's
     * checks, {@link SegmentWorker#rangeOf}), the first frame's {@code pts} of each.
     *
     * @return tap name to pts (in the filter's time base: samples, for audio)
     */
    Map<String, Long> taps() {
        return Map.copyOf(taps);
    }

    /**
     * All kept diagnostic lines.
     *
     * @return lines, oldest first
     */
    List<String> diagnostics() {
        return new ArrayList<>(tail);
    }

    /**
     * How much output ffmpeg has written, in media seconds (from {@code -progress}).
     *
     * @return seconds, 0 before the first packet
     */
    double outTimeSeconds() {
        return outTimeSeconds;
    }

    /**
     * ffmpeg's last diagnostic line: its one-line reason for a failure.
     *
     * @param exitCode the process's exit code, as text ("(running)" while it runs)
     * @return the line, or a generic text when it said nothing
     */
    String reason(String exitCode) {
        if (tail.isEmpty()) {
            return "ffmpeg exited with code " + exitCode + " without a message";
        }
        String last = tail.getLast();
        if (last.startsWith("input: ") && tail.size() > 1) {
            // "input: Invalid data found…" says little; the line before names the cause ("moov atom not found")
            List<String> lines = new ArrayList<>(tail);
            return lines.get(lines.size() - 2) + " (" + last + ")";
        }
        return last;
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
     * @param lines summary or stderr lines
     * @return the media info
     */
    static MediaInfo parseSummary(List<String> lines) {
        OptionalDouble duration = OptionalDouble.empty();
        Optional<MediaInfo.AudioStream> audio = Optional.empty();
        String container = "";
        for (String line : lines) {
            Matcher input = INPUT.matcher(line);
            if (container.isEmpty() && input.find()) {
                container = input.group(1);
            }
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
        return new MediaInfo(duration, audio, container);
    }

    /**
     * The channel count of a layout as ffmpeg names it ({@code mono}, {@code 5.1(side)}, {@code 3 channels}).
     *
     * @param layout the layout, may be null
     * @return the count, 0 when unknown
     */
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

    private boolean tap(String context, String text) {
        Matcher name = TAP_CONTEXT.matcher(context);
        if (!name.matches()) {
            return false;
        }
        Matcher pts = TAP_PTS.matcher(text);
        if (pts.find()) {
            taps.putIfAbsent(name.group(1), Long.parseLong(pts.group(1)));
        }
        return true;
    }

    private void keep(String line) {
        if (line.isEmpty() || IGNORED.matcher(line).matches()) {
            return;
        }
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    private void parseMicros(String value) {
        try {
            long micros = Long.parseLong(value.trim());
            if (micros > 0) {
                outTimeSeconds = micros / 1_000_000.0;
            }
        } catch (NumberFormatException e) {
            // N/A before the first packet
        }
    }

    private String sanitize(String line) {
        // ffmpeg logs "[mp3 @ 0x55…]": the address tells users nothing
        return line.replace(input, "input").replace(inputPath, "input").replaceAll(" @ 0x[0-9a-f]+\\]", "]");
    }
}
