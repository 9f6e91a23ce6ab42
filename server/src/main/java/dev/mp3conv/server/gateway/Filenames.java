package dev.mp3conv.server.gateway;

import java.nio.charset.StandardCharsets;

/**
 * File names coming in (an upload's name, shown back to users and written into blob metadata) and
 * going out (the MP3's {@code Content-Disposition}, RFC 6266 with RFC 8187 encoding for non-ASCII names).
 */
final class Filenames {
    static final String FALLBACK = "upload";
    private static final int MAX_LENGTH = 255;
    private static final String ATTR_CHARS = "!#$&+-.^_`|~";

    private Filenames() {
    }

    /**
     * The base name of a client-supplied file name, without any directory part, control or format
     * characters (NUL, CR/LF, ESC, bidi overrides and isolates, zero-width characters, BOM), line or
     * paragraph separators, trimmed and at most 255 characters.
     *
     * @param name the name the client sent, may be null
     * @return a safe name, {@value #FALLBACK} when nothing usable is left
     */
    static String sanitise(String name) {
        if (name == null) {
            return FALLBACK;
        }
        String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder clean = new StringBuilder(base.length());
        base.codePoints()
                .filter(Filenames::visible)
                .forEach(clean::appendCodePoint);
        String trimmed = clean.toString().strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_LENGTH) {
            trimmed = trimmed.substring(0, trimmed.offsetByCodePoints(0, MAX_LENGTH)).strip();
        }
        return trimmed.isEmpty() || trimmed.equals(".") || trimmed.equals("..") ? FALLBACK : trimmed;
    }

    private static boolean visible(int c) {
        int type = Character.getType(c);
        return !Character.isISOControl(c) && type != Character.FORMAT && type != Character.SURROGATE
                && type != Character.UNASSIGNED && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.PRIVATE_USE;
    }

    /**
     * The download name of a job's MP3: the upload's name with its extension replaced by {@code .mp3}.
     *
     * @param uploadName sanitised upload name
     * @return the MP3 name
     */
    static String mp3Name(String uploadName) {
        String name = uploadName == null || uploadName.isBlank() ? FALLBACK : uploadName;
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".mp3";
    }

    /**
     * A {@code Content-Disposition: attachment} value: a plain ASCII {@code filename} for old clients,
     * plus {@code filename*} in UTF-8 when the name is not plain ASCII.
     *
     * @param filename the name to offer
     * @return the header value
     */
    static String attachment(String filename) {
        StringBuilder ascii = new StringBuilder(filename.length());
        for (char c : filename.toCharArray()) {
            ascii.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' ? '_' : c);
        }
        String value = "attachment; filename=\"" + ascii + "\"";
        return ascii.toString().equals(filename) ? value : value + "; filename*=UTF-8''" + percentEncode(filename);
    }

    private static String percentEncode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || ATTR_CHARS.indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
