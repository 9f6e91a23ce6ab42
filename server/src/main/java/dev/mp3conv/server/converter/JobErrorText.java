package dev.mp3conv.server.converter;

import java.util.regex.Pattern;

/**
 * Makes a job's error message fit to show its owner: ffmpeg's lines and exception messages may carry
 * server paths, URLs with tokens, other users' and blobs' ids, and control characters from the upload
 * itself (a terminal escape, a line break that forges a log line, a bidi override that reverses what
 * a reader sees). Those become placeholders; what is left is one line of bounded length.
 */
final class JobErrorText {
    static final int MAX_LENGTH = 300;

    // control (Cc), format (Cf: bidi overrides, zero-width), line and paragraph separators (Zl, Zp)
    private static final Pattern INVISIBLE = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+");
    private static final Pattern URL = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s'\"]+");
    // an absolute path: "/" not preceded by a word character or dot (so "kb/s" and "I/O" stay)
    private static final Pattern PATH = Pattern.compile("(?<![\\w./])/[^\\s'\"(),;]+");
    private static final Pattern IDS = Pattern.compile("\\b[0-9a-fA-F]{24,}\\b");
    private static final Pattern EMAIL = Pattern.compile("[^\\s'\"<>()]+@[^\\s'\"<>()]+\\.[A-Za-z]{2,}");
    private static final Pattern SPACES = Pattern.compile(" {2,}");

    private JobErrorText() {
    }

    /**
     * The message as the job records it.
     *
     * @param message raw message, may be null
     * @return one printable line without paths, URLs, ids or e-mail addresses, at most {@value #MAX_LENGTH} characters
     */
    static String clean(String message) {
        if (message == null || message.isBlank()) {
            return "no reason given";
        }
        String text = INVISIBLE.matcher(message).replaceAll(" ");
        text = URL.matcher(text).replaceAll("<url>");
        text = PATH.matcher(text).replaceAll("<path>");
        text = IDS.matcher(text).replaceAll("<id>");
        text = EMAIL.matcher(text).replaceAll("<email>");
        text = SPACES.matcher(text).replaceAll(" ").strip();
        if (text.length() > MAX_LENGTH) {
            text = text.substring(0, MAX_LENGTH - 1).strip() + "…";
        }
        return text;
    }
}
