package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ID3v2 tags an MP3 gets: its title (the source's own, else the file name without its extension)
 * and the source's artist, album, date and comment when it has them; nothing else. The job's own title and
 * artist, when asked, replace the source's ({@link #withOverrides}). Without this, ffmpeg
 * copies every container tag of the source ({@code major_brand}, {@code compatible_brands}, the
 * muxer's {@code encoder}...) into the MP3.
 *
 * <p>The source's tags are what {@code ffmpeg -f ffmetadata} prints (its global section); they are
 * the uploader's text, so each value is cut to {@value #MAX_VALUE} characters and loses control
 * characters before it becomes an ffmpeg argument (a list element, never parsed by a shell).
 *
 * @param title   title to write
 * @param artist  artist, or null
 * @param album   album, or null
 * @param date    date, or null
 * @param comment comment, or null
 */
record SourceTags(String title, String artist, String album, String date, String comment) {
    /** No tags at all (a segment's frames, which are stitched into a file of their own). */
    static final SourceTags NONE = new SourceTags(null, null, null, null, null);

    /** Longest value kept, in characters. */
    static final int MAX_VALUE = 256;
    /** Most bytes of ffmetadata read; tags past it are ignored. */
    static final int MAX_METADATA = 64 * 1024;

    /**
     * Reads a source's tags with {@code ffmpeg -f ffmetadata} (any ffmpeg has it, the bundled one
     * too; it reads the container's header, not the media). A source ffmpeg cannot open has no
     * tags here: the conversion that follows says why it cannot be read.
     *
     * @param ffmpeg   the ffmpeg to run
     * @param input    file path or URL ffmpeg reads
     * @param filename the upload's file name, for the title when the source has none
     * @param timeout  how long ffmpeg may take
     * @param started  told of the process once it runs (so that its owner can kill it)
     * @return the tags
     * @throws IOException          when ffmpeg cannot start or runs out of time
     * @throws InterruptedException when interrupted
     */
    static SourceTags read(Ffmpeg ffmpeg, String input, String filename, Duration timeout,
                           Consumer<FfmpegProcess> started) throws IOException, InterruptedException {
        return readWithSummary(ffmpeg, input, filename, timeout, started).tags();
    }

    /**
     * What one {@code ffmpeg -f ffmetadata} run tells: the tags, and the input's summary ffmpeg prints
     * while opening it (duration, audio stream), so a long input can be planned in segments from this
     * run alone ({@link ConversionWorker}).
     *
     * @param tags   the tags, as {@link #read} returns them
     * @param media  the input's summary, empty when ffmpeg could not open it
     * @param opened whether ffmpeg opened the input
     */
    record Read(SourceTags tags, MediaInfo media, boolean opened) {
    }

    /**
     * Reads a source's tags as {@link #read} does, and keeps the input summary ffmpeg printed.
     *
     * @param ffmpeg   the ffmpeg to run
     * @param input    file path or URL ffmpeg reads
     * @param filename the upload's file name, for the title when the source has none
     * @param timeout  how long ffmpeg may take
     * @param started  told of the process once it runs (so that its owner can kill it)
     * @return the tags and the summary
     * @throws IOException          when ffmpeg cannot start or runs out of time
     * @throws InterruptedException when interrupted
     */
    static Read readWithSummary(Ffmpeg ffmpeg, String input, String filename, Duration timeout,
                                Consumer<FfmpegProcess> started) throws IOException, InterruptedException {
        // the upload is hostile here as in the conversion: the same demuxer and protocol allow-lists.
        // Info with level tags: the input's summary is kept apart from the diagnostics (FfmpegProcess)
        List<String> command = new java.util.ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner",
                "-nostdin", "-loglevel", "level+info"));
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input));
        command.addAll(OUTPUT);
        try (FfmpegProcess process = FfmpegProcess.start(command, input)) {
            started.accept(process);
            // bounded: the tags are the uploader's, and a container may carry megabytes of them
            byte[] text = process.readStdout(MAX_METADATA, timeout);
            process.kill();
            process.waitFor();
            List<String> summary = process.summary();
            return new Read(fromFfmetadata(text, filename), FfmpegLog.parseSummary(summary),
                    FfmpegLog.opened(summary));
        }
    }

    /**
     * The ffmpeg output that prints a source's tags on stdout: {@link #readWithSummary}'s only output, and the
     * second output of a conversion that reads its own tags ({@link Mp3Transcoder}). ffmpeg writes the global
     * section as the output ends (the muxer's trailer), so a run stopped with {@code SIGKILL} prints none; one asked to
     * end with {@code SIGTERM} finishes it ({@link FfmpegProcess#terminate}).
     */
    static final List<String> OUTPUT = List.of("-f", "ffmetadata", "pipe:1");

    /**
     * The tags in what {@link #OUTPUT} printed (at most {@value #MAX_METADATA} bytes of it).
     *
     * @param text     ffmpeg's stdout
     * @param filename the upload's file name, for the title when the source has none
     * @return the tags
     */
    static SourceTags fromFfmetadata(byte[] text, String filename) {
        return of(parseFfmetadata(new String(text, StandardCharsets.UTF_8)), filename);
    }

    /**
     * The tags of an MP3 made from a source with these global tags.
     *
     * @param sourceTags the source's tags (any case), as {@link #parseFfmetadata} reads them
     * @param filename   the upload's file name, for the title when the source has none
     * @return the tags
     */
    static SourceTags of(Map<String, String> sourceTags, String filename) {
        String title = clean(sourceTags.get("title"));
        return new SourceTags(title == null ? titleFromName(filename) : title, clean(sourceTags.get("artist")),
                clean(sourceTags.get("album")), clean(sourceTags.get("date")), clean(sourceTags.get("comment")));
    }

    /**
     * Tags without an album.
     *
     * @param title   title
     * @param artist  artist, or null
     * @param date    date, or null
     * @param comment comment, or null
     */
    SourceTags(String title, String artist, String date, String comment) {
        this(title, artist, null, date, comment);
    }

    /**
     * These tags with the job's own title and artist where it asked for them (already held to the options'
     * rule: bounded, no control characters).
     *
     * @param newTitle  title asked, or null to keep this one
     * @param newArtist artist asked, or null to keep this one
     * @return the tags
     */
    SourceTags withOverrides(String newTitle, String newArtist) {
        return new SourceTags(newTitle == null ? title : clean(newTitle), newArtist == null ? artist : clean(newArtist),
                album, date, comment);
    }

    /**
     * These tags by name ({@code title}, {@code artist}, {@code album}, {@code date}, {@code comment}; absent ones
     * left out), as a segmented job keeps them for its stitch step; {@link #of} reads them back.
     *
     * @return name to value
     */
    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        put(values, "title", title);
        put(values, "artist", artist);
        put(values, "album", album);
        put(values, "date", date);
        put(values, "comment", comment);
        return values;
    }

    private static void put(Map<String, String> values, String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
    }

    /**
     * The ffmpeg output options that write exactly these tags: {@code -map_metadata -1} drops what
     * would be copied, {@code -fflags +bitexact} the muxer's own {@code encoder} tag.
     *
     * @return options for after the input
     */
    List<String> ffmpegArgs() {
        List<String> args = new ArrayList<>(List.of("-map_metadata", "-1", "-fflags", "+bitexact"));
        add(args, "title", title);
        add(args, "artist", artist);
        add(args, "album", album);
        add(args, "date", date);
        add(args, "comment", comment);
        return List.copyOf(args);
    }

    /**
     * Reads the global section of ffmpeg's {@code ffmetadata} output ({@code ;FFMETADATA1}, then
     * {@code key=value} lines with {@code \}-escapes, then {@code [STREAM]}/{@code [CHAPTER]} sections).
     *
     * @param text ffmpeg's output
     * @return keys lower-cased, in order; the first of a repeated key wins
     */
    static Map<String, String> parseFfmetadata(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        StringBuilder line = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped) {
                line.append(c);
                escaped = false;
            } else if (c == '\\') {
                // keep the escape so that an escaped '=' does not split the key from the value
                line.append(c);
                escaped = true;
            } else if (c == '\n') {
                if (!take(line.toString(), tags)) {
                    return tags;
                }
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
        take(line.toString(), tags);
        return tags;
    }

    /** One line of the global section; false at the first section header (the global section ends). */
    private static boolean take(String line, Map<String, String> tags) {
        if (line.startsWith("[")) {
            return false;
        }
        if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
            return true;
        }
        int eq = unescapedEquals(line);
        if (eq > 0) {
            tags.putIfAbsent(unescape(line.substring(0, eq)).toLowerCase(Locale.ROOT), unescape(line.substring(eq + 1)));
        }
        return true;
    }

    private static int unescapedEquals(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                c = value.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String titleFromName(String filename) {
        String name = filename == null ? "" : filename;
        int dot = name.lastIndexOf('.');
        String base = clean(dot > 0 ? name.substring(0, dot) : name);
        return base == null ? "audio" : base;
    }

    private static String clean(String value) {
        if (value == null) {
            return null;
        }
        String cleaned = value.replaceAll("\\p{Cntrl}+", " ").strip();
        if (cleaned.isEmpty()) {
            return null;
        }
        return cleaned.codePointCount(0, cleaned.length()) <= MAX_VALUE ? cleaned
                : cleaned.substring(0, cleaned.offsetByCodePoints(0, MAX_VALUE)).strip();
    }

    private static void add(List<String> args, String key, String value) {
        if (value != null) {
            args.addAll(List.of("-metadata", key + "=" + value));
        }
    }
}
