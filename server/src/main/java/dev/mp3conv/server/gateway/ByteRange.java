package dev.mp3conv.server.gateway;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One satisfiable byte range of a representation (RFC 9110 §14). Only single ranges are served:
 * a multi-range or unreadable {@code Range} header is ignored (the whole file is sent), as the RFC allows.
 *
 * @param first  first byte
 * @param last   last byte, inclusive
 * @param length length of the whole representation
 */
record ByteRange(long first, long last, long length) {
    private static final Pattern SINGLE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*",
            Pattern.CASE_INSENSITIVE);

    /**
     * Reads a {@code Range} header.
     *
     * @param header the header value
     * @param length size of the representation
     * @return the range, empty when the header is to be ignored
     * @throws Unsatisfiable when the range lies outside the representation (416)
     */
    static Optional<ByteRange> parse(String header, long length) {
        Matcher m = SINGLE.matcher(header);
        if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
            return Optional.empty();
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || length == 0) {
                    throw new Unsatisfiable(length);
                }
                return Optional.of(new ByteRange(Math.max(0, length - suffix), length - 1, length));
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? length - 1 : Math.min(Long.parseLong(m.group(2)), length - 1);
            if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                return Optional.empty();
            }
            if (first >= length) {
                throw new Unsatisfiable(length);
            }
            return Optional.of(new ByteRange(first, last, length));
        } catch (NumberFormatException e) {
            // more digits than a long holds: far beyond any blob
            throw new Unsatisfiable(length);
        }
    }

    long size() {
        return last - first + 1;
    }

    String contentRange() {
        return "bytes " + first + "-" + last + "/" + length;
    }

    /** The range starts beyond the end of the representation. */
    static final class Unsatisfiable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long length;

        Unsatisfiable(long length) {
            super("range not satisfiable", null, false, false);
            this.length = length;
        }

        long length() {
            return length;
        }
    }
}
