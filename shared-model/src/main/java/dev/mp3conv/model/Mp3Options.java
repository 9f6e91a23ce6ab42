package dev.mp3conv.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a job's MP3 is encoded: a CBR bitrate or a VBR quality, not both, or neither (the server's
 * default). The one rule for these values: the CLI checks it before uploading, the gateway before
 * accepting an upload, the converter before running ffmpeg.
 *
 * <p>Each option is a form field of the upload ({@link #fields()}, {@link #fromFields(Map)}); an
 * option added later (loudness, trim...) becomes one more component, one more field name and one
 * more check in {@link #fromFields(Map)}, and every caller picks it up.
 *
 * @param bitrate CBR bitrate in the normal form {@code 192k}, or null
 * @param quality VBR quality from 0 (best) to 9, or null
 */
public record Mp3Options(String bitrate, Integer quality) {
    /** Form field of the bitrate. */
    public static final String BITRATE_FIELD = "bitrate";
    /** Form field of the quality. */
    public static final String QUALITY_FIELD = "quality";
    /** MPEG-1 Layer III bitrates in kbit/s, the ones LAME encodes at 32/44.1/48 kHz. */
    public static final List<Integer> BITRATES = List.of(32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320);
    /** Best VBR quality. */
    public static final int BEST_QUALITY = 0;
    /** Smallest VBR quality. */
    public static final int SMALLEST_QUALITY = 9;
    /** Nothing asked: the server picks (stream copy of MP3 audio, else CBR 192k). */
    public static final Mp3Options NONE = new Mp3Options(null, null);

    private static final Pattern BITRATE = Pattern.compile("(\\d{1,3})k?", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUALITY = Pattern.compile("\\d");

    /**
     * Checks the components: use {@link #parse(String, String)} for text from a user.
     *
     * @throws IllegalArgumentException when a value is outside the allowed set, or both are given
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
    }

    /**
     * Reads the options as a user typed them.
     *
     * @param bitrate e.g. {@code 192k}, {@code 192} or {@code 192K}; null or blank when not asked
     * @param quality a digit 0..9; null or blank when not asked
     * @return the options
     * @throws IllegalArgumentException with one line for the user when a value is not allowed
     */
    public static Mp3Options parse(String bitrate, String quality) {
        String q = blankToNull(quality);
        if (q != null && !QUALITY.matcher(q).matches()) {
            throw qualityProblem();
        }
        return new Mp3Options(blankToNull(bitrate), q == null ? null : Integer.valueOf(q));
    }

    /**
     * Reads the options from an upload's form fields; fields of other names are ignored.
     *
     * @param fields form fields
     * @return the options
     * @throws IllegalArgumentException with one line for the user when a value is not allowed
     */
    public static Mp3Options fromFields(Map<String, String> fields) {
        return parse(fields.get(BITRATE_FIELD), fields.get(QUALITY_FIELD));
    }

    /**
     * The options as upload form fields (only those asked).
     *
     * @return field name to value, in a stable order
     */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        if (bitrate != null) {
            fields.put(BITRATE_FIELD, bitrate);
        }
        if (quality != null) {
            fields.put(QUALITY_FIELD, quality.toString());
        }
        return fields;
    }

    /**
     * The allowed bitrates as users write them.
     *
     * @return e.g. {@code 32k, 40k, …, 320k}
     */
    public static String allowedBitrates() {
        return String.join(", ", BITRATES.stream().map(rate -> rate + "k").toList());
    }

    private static String normalBitrate(String value) {
        Matcher m = BITRATE.matcher(value.trim());
        if (!m.matches() || !BITRATES.contains(Integer.parseInt(m.group(1)))) {
            throw new IllegalArgumentException("bitrate must be one of " + allowedBitrates());
        }
        return Integer.parseInt(m.group(1)) + "k";
    }

    private static IllegalArgumentException qualityProblem() {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "quality must be a VBR quality from %d (best) to %d", BEST_QUALITY, SMALLEST_QUALITY));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
