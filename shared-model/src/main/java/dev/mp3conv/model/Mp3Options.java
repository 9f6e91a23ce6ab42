package dev.mp3conv.model;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a job's MP3 is to be: a CBR bitrate or a VBR quality (not both, or neither: the server's
 * default), and the audio options people expect from a converter: loudness normalisation, a trim,
 * cover art, channels, sample rate and title/artist overrides. The one rule for these values: the
 * CLI checks it before uploading, the gateway before accepting an upload, the converter before running
 * ffmpeg.
 *
 * <p>Each option is a form field of the upload ({@link #fields()}, {@link #fromFields(Map)}); an
 * option added later becomes one more component, one more field name and one more check in
 * {@link #fromFields(Map)}, and every caller picks it up.
 *
 * <p>Every value is the uploader's text: numbers are matched against a short pattern before they are
 * parsed (no exponents, no other digits than ASCII), and the free texts (title, artist) are bounded and
 * refuse control, line-separator and bidirectional-override characters.
 *
 * @param bitrate    CBR bitrate in the normal form {@code 192k}, or null
 * @param quality    VBR quality from 0 (best) to 9, or null
 * @param loudness   target integrated loudness in LUFS (EBU R128), {@value #QUIETEST_LOUDNESS} to
 *                   {@value #LOUDEST_LOUDNESS}, or null for none
 * @param start      where the MP3 starts in the source, in seconds, or null for its start
 * @param end        where the MP3 ends in the source, in seconds (after {@code start}), or null for its end
 * @param cover      whether the MP3 gets the source's cover (its attached picture, else a frame of the video)
 * @param channels   1 (mono) or 2 (stereo), or null for the source's (surround becomes stereo)
 * @param sampleRate one of {@link #SAMPLE_RATES}, or null for the source's (above 48 kHz becomes 48 kHz)
 * @param title      the MP3's title instead of the source's, or null
 * @param artist     the MP3's artist instead of the source's, or null
 */
public record Mp3Options(String bitrate, Integer quality, Double loudness, Double start, Double end, boolean cover,
                         Integer channels, Integer sampleRate, String title, String artist) {
    /** Form field of the bitrate. */
    public static final String BITRATE_FIELD = "bitrate";
    /** Form field of the quality. */
    public static final String QUALITY_FIELD = "quality";
    /** Form field of the loudness target in LUFS. */
    public static final String LOUDNESS_FIELD = "loudness";
    /** Form field of the trim's start. */
    public static final String START_FIELD = "start";
    /** Form field of the trim's end. */
    public static final String END_FIELD = "end";
    /** Form field of the cover switch. */
    public static final String COVER_FIELD = "cover";
    /** Form field of the channels ({@code mono} or {@code stereo}). */
    public static final String CHANNELS_FIELD = "channels";
    /** Form field of the sample rate in Hz. */
    public static final String SAMPLE_RATE_FIELD = "sample_rate";
    /** Form field of the title override. */
    public static final String TITLE_FIELD = "title";
    /** Form field of the artist override. */
    public static final String ARTIST_FIELD = "artist";
    /** Every field name these options read, in form order. */
    public static final List<String> FIELDS = List.of(BITRATE_FIELD, QUALITY_FIELD, LOUDNESS_FIELD, START_FIELD,
            END_FIELD, COVER_FIELD, CHANNELS_FIELD, SAMPLE_RATE_FIELD, TITLE_FIELD, ARTIST_FIELD);

    /** MPEG-1 Layer III bitrates in kbit/s, the ones LAME encodes at 32/44.1/48 kHz. */
    public static final List<Integer> BITRATES = List.of(32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320);
    /** Best VBR quality. */
    public static final int BEST_QUALITY = 0;
    /** Smallest VBR quality. */
    public static final int SMALLEST_QUALITY = 9;
    /** Sample rates a job may ask for, in Hz. */
    public static final List<Integer> SAMPLE_RATES = List.of(22050, 32000, 44100, 48000);
    /**
     * Quietest loudness target, in LUFS: below every delivery spec in use (broadcast −23/−24, cinema
     * trailers −27, the quietest streaming targets around −19); quieter still only throws away bits.
     */
    public static final double QUIETEST_LOUDNESS = -40.0;
    /**
     * Loudest loudness target, in LUFS: the loudest streaming target in use is −11 (Spotify "loud"). A
     * louder target under the −1.5 dBTP ceiling needs more than ~7 dB of limiting on speech (whose peaks
     * sit 12–18 dB above its loudness), which audibly crushes it.
     */
    public static final double LOUDEST_LOUDNESS = -9.0;
    /** Longest position a trim may name: 100 hours, beyond any input the converter accepts by default. */
    public static final double MAX_POSITION_SECONDS = 100 * 3600.0;
    /** Longest title or artist, in characters (code points), as the converter keeps source tags. */
    public static final int MAX_TEXT = 256;
    /** Nothing asked: the server picks (stream copy of MP3 audio, else CBR 192k). */
    public static final Mp3Options NONE = new Mp3Options(null, null);

    private static final Pattern BITRATE = Pattern.compile("(\\d{1,3})k?", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUALITY = Pattern.compile("\\d");
    private static final Pattern LOUDNESS = Pattern.compile("-\\d{1,2}(\\.\\d{1,2})?");
    private static final Pattern SECONDS = Pattern.compile("(\\d{1,6})(\\.\\d{1,3})?");
    private static final Pattern MINUTES_SECONDS = Pattern.compile("(\\d{1,4}):([0-5]\\d)(\\.\\d{1,3})?");
    private static final Pattern HOURS_MINUTES_SECONDS = Pattern.compile("(\\d{1,3}):([0-5]\\d):([0-5]\\d)(\\.\\d{1,3})?");
    private static final Pattern SAMPLE_RATE = Pattern.compile("\\d{5}");
    /**
     * Refused in a title or artist: C0/C1 controls, line and paragraph separators, surrogates, and the
     * bidirectional embeddings, overrides and isolates that make a tag display as other text.
     */
    private static final Pattern REFUSED_TEXT = Pattern.compile("[\\p{Cc}\\p{Zl}\\p{Zp}\\p{Cs}\\u202A-\\u202E\\u2066-\\u2069]");

    /**
     * Only an encoding: no audio options.
     *
     * @param bitrate CBR bitrate or null
     * @param quality VBR quality or null
     */
    public Mp3Options(String bitrate, Integer quality) {
        this(bitrate, quality, null, null, null, false, null, null, null, null);
    }

    /**
     * Checks the components: use {@link #fromFields(Map)} for text from a user.
     *
     * @throws IllegalArgumentException when a value is outside the allowed set, or two exclude each other
     */
    public Mp3Options {
        if (bitrate != null && quality != null) {
            throw new IllegalArgumentException("give either a bitrate (CBR) or a quality (VBR), not both");
        }
        if (bitrate != null) {
            bitrate = normalBitrate(bitrate);
        }
        if (quality != null && (quality < BEST_QUALITY || quality > SMALLEST_QUALITY)) {
            throw qualityProblem();
        }
        if (loudness != null && !(loudness >= QUIETEST_LOUDNESS && loudness <= LOUDEST_LOUDNESS)) {
            throw loudnessProblem();
        }
        checkPosition(START_FIELD, start);
        checkPosition(END_FIELD, end);
        if (end != null && end <= 0) {
            throw new IllegalArgumentException("end must be after the start of the audio");
        }
        if (start != null && end != null && end <= start) {
            throw new IllegalArgumentException("end must be after start");
        }
        if (start != null && start == 0) {
            start = null;
        }
        if (channels != null && channels != 1 && channels != 2) {
            throw channelsProblem();
        }
        if (sampleRate != null && !SAMPLE_RATES.contains(sampleRate)) {
            throw sampleRateProblem();
        }
        title = text(TITLE_FIELD, title);
        artist = text(ARTIST_FIELD, artist);
    }

    /**
     * Reads an encoding as a user typed it.
     *
     * @param bitrate e.g. {@code 192k}, {@code 192} or {@code 192K}; null or blank when not asked
     * @param quality a digit 0..9; null or blank when not asked
     * @return the options
     * @throws IllegalArgumentException with one line for the user when a value is not allowed
     */
    public static Mp3Options parse(String bitrate, String quality) {
        return fromFields(fieldsOf(BITRATE_FIELD, bitrate, QUALITY_FIELD, quality));
    }

    /**
     * Reads the options from an upload's form fields; fields of other names are ignored, blank ones
     * are not asked.
     *
     * @param fields form fields
     * @return the options
     * @throws IllegalArgumentException with one line for the user when a value is not allowed
     */
    public static Mp3Options fromFields(Map<String, String> fields) {
        String q = blankToNull(fields.get(QUALITY_FIELD));
        if (q != null && !QUALITY.matcher(q).matches()) {
            throw qualityProblem();
        }
        return new Mp3Options(blankToNull(fields.get(BITRATE_FIELD)), q == null ? null : Integer.valueOf(q),
                loudness(blankToNull(fields.get(LOUDNESS_FIELD))),
                position(START_FIELD, blankToNull(fields.get(START_FIELD))),
                position(END_FIELD, blankToNull(fields.get(END_FIELD))),
                cover(blankToNull(fields.get(COVER_FIELD))),
                channels(blankToNull(fields.get(CHANNELS_FIELD))),
                sampleRate(blankToNull(fields.get(SAMPLE_RATE_FIELD))),
                fields.get(TITLE_FIELD), fields.get(ARTIST_FIELD));
    }

    /**
     * The options as upload form fields (only those asked), in the form {@link #fromFields(Map)} reads back
     * to equal options.
     *
     * @return field name to value, in a stable order
     */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, BITRATE_FIELD, bitrate);
        put(fields, QUALITY_FIELD, quality == null ? null : quality.toString());
        put(fields, LOUDNESS_FIELD, loudness == null ? null : plain(loudness));
        put(fields, START_FIELD, start == null ? null : plain(start));
        put(fields, END_FIELD, end == null ? null : plain(end));
        put(fields, COVER_FIELD, cover ? "true" : null);
        put(fields, CHANNELS_FIELD, channelsName());
        put(fields, SAMPLE_RATE_FIELD, sampleRate == null ? null : sampleRate.toString());
        put(fields, TITLE_FIELD, title);
        put(fields, ARTIST_FIELD, artist);
        return fields;
    }

    /**
     * The same encoding and audio options with another bitrate and quality.
     *
     * @param newBitrate CBR bitrate or null
     * @param newQuality VBR quality or null
     * @return the options
     */
    public Mp3Options withEncoding(String newBitrate, Integer newQuality) {
        return new Mp3Options(newBitrate, newQuality, loudness, start, end, cover, channels, sampleRate, title, artist);
    }

    /**
     * Whether the audio itself must change (so an MP3 source cannot be copied as it is): loudness,
     * trim, channels or sample rate. Tags and the cover are written around the audio.
     *
     * @return true when the audio is re-encoded whatever the source
     */
    public boolean changesAudio() {
        return loudness != null || trimmed() || channels != null || sampleRate != null;
    }

    /**
     * Whether a part of the source is asked for.
     *
     * @return true when {@code start} or {@code end} is set
     */
    public boolean trimmed() {
        return start != null || end != null;
    }

    /**
     * The channels as the form field spells them.
     *
     * @return {@code mono}, {@code stereo}, or null
     */
    public String channelsName() {
        return channels == null ? null : channels == 1 ? "mono" : "stereo";
    }

    /**
     * The allowed bitrates as users write them.
     *
     * @return e.g. {@code 32k, 40k, …, 320k}
     */
    public static String allowedBitrates() {
        return String.join(", ", BITRATES.stream().map(rate -> rate + "k").toList());
    }

    /**
     * Reads a position as users write it: seconds ({@code 90}, {@code 90.5}), {@code m:ss} ({@code 1:30}) or
     * {@code h:mm:ss} ({@code 1:02:03.250}), with at most three decimals.
     *
     * @param field the field's name, for the message
     * @param value the text, or null
     * @return seconds, or null for null
     * @throws IllegalArgumentException with one line for the user when it is not a position
     */
    public static Double position(String field, String value) {
        if (value == null) {
            return null;
        }
        Matcher s = SECONDS.matcher(value);
        Matcher ms = MINUTES_SECONDS.matcher(value);
        Matcher hms = HOURS_MINUTES_SECONDS.matcher(value);
        double seconds;
        if (s.matches()) {
            seconds = Long.parseLong(s.group(1)) + fraction(s.group(2));
        } else if (ms.matches()) {
            seconds = Long.parseLong(ms.group(1)) * 60 + Long.parseLong(ms.group(2)) + fraction(ms.group(3));
        } else if (hms.matches()) {
            seconds = Long.parseLong(hms.group(1)) * 3600 + Long.parseLong(hms.group(2)) * 60
                    + Long.parseLong(hms.group(3)) + fraction(hms.group(4));
        } else {
            throw positionProblem(field);
        }
        checkPosition(field, seconds);
        return seconds;
    }

    /**
     * A position as {@code h:mm:ss.fff} (or {@code m:ss.fff} below an hour), for messages.
     *
     * @param seconds the position
     * @return the text
     */
    public static String clock(double seconds) {
        long millis = Math.round(seconds * 1000);
        long h = millis / 3_600_000;
        long m = millis / 60_000 % 60;
        double s = millis % 60_000 / 1000.0;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%06.3f", h, m, s)
                : String.format(Locale.ROOT, "%d:%06.3f", m, s);
    }

    private static double fraction(String decimals) {
        return decimals == null ? 0 : Double.parseDouble("0" + decimals);
    }

    private static void checkPosition(String field, Double seconds) {
        if (seconds != null && !(seconds >= 0 && seconds <= MAX_POSITION_SECONDS)) {
            throw positionProblem(field);
        }
    }

    private static Double loudness(String value) {
        if (value == null) {
            return null;
        }
        if (!LOUDNESS.matcher(value).matches()) {
            throw loudnessProblem();
        }
        return Double.valueOf(value);
    }

    private static boolean cover(String value) {
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("cover must be true or false");
        };
    }

    private static Integer channels(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "mono", "1" -> 1;
            case "stereo", "2" -> 2;
            default -> throw channelsProblem();
        };
    }

    private static Integer sampleRate(String value) {
        if (value == null) {
            return null;
        }
        if (!SAMPLE_RATE.matcher(value).matches()) {
            throw sampleRateProblem();
        }
        return Integer.valueOf(value);
    }

    private static String text(String field, String value) {
        String v = blankToNull(value);
        if (v == null) {
            return null;
        }
        if (REFUSED_TEXT.matcher(v).find()) {
            throw new IllegalArgumentException(field + " must not contain control characters");
        }
        if (v.codePointCount(0, v.length()) > MAX_TEXT) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_TEXT + " characters");
        }
        return v;
    }

    private static String normalBitrate(String value) {
        Matcher m = BITRATE.matcher(value.trim());
        if (!m.matches() || !BITRATES.contains(Integer.parseInt(m.group(1)))) {
            throw new IllegalArgumentException("bitrate must be one of " + allowedBitrates());
        }
        return Integer.parseInt(m.group(1)) + "k";
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static IllegalArgumentException qualityProblem() {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "quality must be a VBR quality from %d (best) to %d", BEST_QUALITY, SMALLEST_QUALITY));
    }

    private static IllegalArgumentException loudnessProblem() {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "loudness must be a target in LUFS from %.0f to %.0f, e.g. -16", QUIETEST_LOUDNESS, LOUDEST_LOUDNESS));
    }

    private static IllegalArgumentException positionProblem(String field) {
        return new IllegalArgumentException(field + " must be seconds (90, 90.5) or m:ss / h:mm:ss(.mmm) up to "
                + (long) (MAX_POSITION_SECONDS / 3600) + " h");
    }

    private static IllegalArgumentException channelsProblem() {
        return new IllegalArgumentException("channels must be mono or stereo");
    }

    private static IllegalArgumentException sampleRateProblem() {
        return new IllegalArgumentException("sample_rate must be one of "
                + String.join(", ", SAMPLE_RATES.stream().map(String::valueOf).toList()) + " (Hz)");
    }

    private static void put(Map<String, String> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    private static Map<String, String> fieldsOf(String k1, String v1, String k2, String v2) {
        Map<String, String> fields = new LinkedHashMap<>();
        put(fields, k1, v1);
        put(fields, k2, v2);
        return fields;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
