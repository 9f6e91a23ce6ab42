package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How much one job may produce (config {@code converter.max-duration}): at most that much audio, and
 * an MP3 no larger than that duration takes at the job's bitrate plus a margin. A few KB of input can
 * claim hours (a header that lies) or decode to hours (FLAC stores silence in a few bytes per second);
 * the first is refused as soon as ffmpeg prints the input's duration, the second when ffmpeg's output
 * reaches the limit ({@code -t} and {@code -fs} stop it there, so it never writes past them).
 *
 * @param maxDuration longest audio a job may have
 */
record MediaLimits(Duration maxDuration) {
    /** The highest MP3 bitrate (MPEG-1 layer III): the bound for VBR and stream copies. */
    static final long MAX_MP3_BITS_PER_SECOND = 320_000;
    /** Headers, ID3 tags, the last frames: a small file is never refused for these. */
    private static final long MARGIN_BYTES = 1024 * 1024;
    private static final double MARGIN_RATIO = 1.05;

    /**
     * The longest audio a job may have, in seconds.
     *
     * @return seconds
     */
    double maxSeconds() {
        return maxDuration.toMillis() / 1000.0;
    }

    /**
     * Whether a duration the input claims is more than a job may have.
     *
     * @param seconds the input's duration
     * @return true when over the limit
     */
    boolean tooLong(double seconds) {
        return seconds > maxSeconds();
    }

    /**
     * The largest MP3 a job with this encoding may write.
     *
     * @param encoding the job's encoding
     * @return bytes
     */
    long maxOutputBytes(Mp3Encoding encoding) {
        long bitsPerSecond = bitsPerSecond(encoding);
        return (long) (bitsPerSecond / 8.0 * maxSeconds() * MARGIN_RATIO) + MARGIN_BYTES;
    }

    /**
     * ffmpeg output options that stop writing at the limits: the output then ends at or just past them,
     * which {@link #exceeded} tells apart from an output within them.
     *
     * @param encoding the job's encoding
     * @return {@code -t} and {@code -fs}
     */
    List<String> outputOptions(Mp3Encoding encoding) {
        // one second past the limit: an output that reaches it was cut, one that stays below was not
        return List.of("-t", String.format(Locale.ROOT, "%.3f", maxSeconds() + 1),
                "-fs", String.valueOf(maxOutputBytes(encoding)));
    }

    /**
     * Whether a finished output went past the limits (and was cut there by ffmpeg).
     *
     * @param encoding   the job's encoding
     * @param outSeconds media seconds written
     * @param outBytes   bytes written
     * @return true when over a limit
     */
    boolean exceeded(Mp3Encoding encoding, double outSeconds, long outBytes) {
        return outSeconds > maxSeconds() || outBytes >= maxOutputBytes(encoding);
    }

    /**
     * The limit in words, for a job's error.
     *
     * @return e.g. {@code 12 h} or {@code 90 s}
     */
    String describe() {
        long seconds = maxDuration.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + " h";
        }
        return seconds % 60 == 0 ? seconds / 60 + " min" : seconds + " s";
    }

    /**
     * A media duration in words, for a job's error.
     *
     * @param seconds the duration
     * @return e.g. {@code 13.0 h}, {@code 2.5 min} or {@code 40 s}
     */
    static String describe(double seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%.1f min", seconds / 60)
                : String.format(Locale.ROOT, "%.0f s", seconds);
    }

    private static long bitsPerSecond(Mp3Encoding encoding) {
        String bitrate = encoding.recordedBitrate();
        if (encoding.streamCopy() || bitrate == null) {
            return MAX_MP3_BITS_PER_SECOND;
        }
        return Long.parseLong(bitrate.replace("k", "")) * 1000;
    }
}
