package dev.mp3conv.cli;

import java.util.Locale;

/**
 * Byte counts for people: 1023 B, 1.5 KiB, 12.3 MiB, 4.0 GiB.
 */
final class Bytes {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Bytes() {
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
