package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mp3conv.server.Settings;
import dev.mp3conv.server.http.ProblemException;
import io.helidon.config.Config;

/**
 * How long finished jobs keep their files (DESIGN.md §5): the source video {@link #videos} after the job
 * ends (DONE or FAILED; zero deletes it as soon as the MP3 is stored), the MP3 and the job {@link #mp3s}
 * after it ends. An expired job stays as a tombstone for {@link #tombstones}, so its routes answer
 * 410 Gone rather than 404; blobs that no job holds are deleted once older than {@link #orphans}.
 *
 * @param videos     source videos are kept this long after the job ends
 * @param mp3s       MP3s (and their jobs) are kept this long after the job ends
 * @param tombstones an expired job's record is kept this long after it expired
 * @param orphans    blobs no job holds, and upload reservations of processes that died, are removed after this
 */
public record Retention(Duration videos, Duration mp3s, Duration tombstones, Duration orphans) {
    /** The defaults of {@code application.yaml}. */
    public static final Retention DEFAULTS = new Retention(Duration.ofHours(24), Duration.ofDays(7),
            Duration.ofDays(30), Duration.ofDays(1));
    /** Longest text accepted for {@code keep}: enough for {@code 999999m}. */
    private static final int MAX_KEEP_TEXT = 16;
    private static final Pattern KEEP = Pattern.compile("([1-9][0-9]{0,6})\\s*([smhd])");

    /**
     * Checks the values.
     */
    public Retention {
        if (videos.isNegative() || mp3s.isNegative() || tombstones.isNegative() || orphans.isNegative()) {
            throw new IllegalArgumentException("retention periods cannot be negative");
        }
    }

    /**
     * Reads the {@code retention} config node.
     *
     * @param node {@code retention}
     * @return the settings, defaults for absent keys
     */
    public static Retention from(Config node) {
        return new Retention(Settings.duration(node.get("videos"), DEFAULTS.videos),
                Settings.duration(node.get("mp3s"), DEFAULTS.mp3s),
                Settings.duration(node.get("tombstones"), DEFAULTS.tombstones),
                Settings.duration(node.get("orphans"), DEFAULTS.orphans));
    }

    /**
     * How long a job's MP3 is kept: the user's shorter ask, never longer than the server allows.
     *
     * @param keep what the user asked ({@link #parseKeep}), or null
     * @return the retention of this job's MP3
     */
    public Duration mp3sFor(Duration keep) {
        return keep == null || keep.compareTo(mp3s) > 0 ? mp3s : keep;
    }

    /**
     * How long a job's video is kept: never longer than its MP3.
     *
     * @param keep what the user asked, or null
     * @return the retention of this job's video
     */
    public Duration videosFor(Duration keep) {
        Duration mp3 = mp3sFor(keep);
        return videos.compareTo(mp3) > 0 ? mp3 : videos;
    }

    /**
     * Parses what a user asks with {@code keep} (a form field, tus metadata): a whole number of
     * seconds, minutes, hours or days such as {@code 90m}, {@code 1h}, {@code 2d}. Longer than the server
     * allows is not an error: {@link #mp3sFor} caps it.
     *
     * @param text the user's value; null or blank means no ask
     * @return the duration, null for no ask
     * @throws ProblemException 400 when the value is not of that form
     */
    public static Duration parseKeep(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher m = text.length() <= MAX_KEEP_TEXT ? KEEP.matcher(text.strip().toLowerCase(Locale.ROOT)) : null;
        if (m == null || !m.matches()) {
            throw ProblemException.badRequest("keep must be a whole number of s, m, h or d, such as 1h or 2d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
