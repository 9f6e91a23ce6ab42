package dev.mp3conv.cli;

import java.util.Locale;

/**
 * Byte counts for people: 1023 B, 1.5 KiB, 12.3 MiB, 4.0 GiB.
 */
final class Bytes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Bytes() {
    }

    /**
     * A size as curl's options take it: bytes, or a number with {@code k}, {@code m} or {@code g}
     * (binary units, either case), e.g. {@code 2m}.
     *
     * @param text   the option value
     * @param option the option's name, for the message
     * @return bytes
     * @throws CliException (usage) when it is not such a size or is zero
     */
    static long parse(String text, String option) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})([kKmMgG]?)").matcher(text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CliException(ExitCode.USAGE, option + " must be a positive size like 500k, 2m or 1g");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long value = Long.parseLong(m.group(1));
        if (value > (1L << 40) >> shift) {
            throw new CliException(ExitCode.USAGE, option + " is larger than 1 TiB");
        }
        return value << shift;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
