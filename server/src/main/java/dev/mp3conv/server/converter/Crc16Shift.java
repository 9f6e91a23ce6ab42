package dev.mp3conv.server.converter;

/**
 * Moves a CRC-16 ({@link Mp3InfoTag#crc16}: reflected 0x8005, no final xor) across bytes it has not seen,
 * as zlib's {@code crc32_combine} does for CRC-32: with initial value 0 the CRC is linear, so the CRC of
 * {@code A‖B} is {@code shift(crc(A), |B|) ^ crc(B)}, where {@code shift} feeds that many zero bytes, a
 * linear map of the 16-bit register. Feeding zero bytes repeats after {@value #ORDER} of them (the
 * polynomial is (x+1)(x^15+x+1), and x^15+x+1 is primitive), so a shift can also be taken back.
 * {@link Mp3Stitcher} derives the CRC of the frames it keeps from a segment's own music CRC with it.
 */
final class Crc16Shift {
    /** Zero bytes after which every register comes back to itself. */
    static final int ORDER = 32767;
    /** POWERS[k] is the map of 2^k zero bytes, as the images of the 16 register bits. */
    private static final int[][] POWERS = powers();

    private Crc16Shift() {
    }

    /**
     * The register after {@code bytes} zero bytes.
     *
     * @param crc   the register
     * @param bytes how many zero bytes, at least 0
     * @return the register after them
     */
    static int shift(int crc, long bytes) {
        long n = bytes % ORDER;
        int value = crc & 0xFFFF;
        for (int k = 0; n != 0; k++, n >>= 1) {
            if ((n & 1) != 0) {
                value = apply(POWERS[k], value);
            }
        }
        return value;
    }

    /**
     * The register that {@code bytes} zero bytes turn into {@code crc}.
     *
     * @param crc   the register after them
     * @param bytes how many zero bytes, at least 0
     * @return the register before them
     */
    static int unshift(int crc, long bytes) {
        return shift(crc, ORDER - bytes % ORDER);
    }

    private static int apply(int[] map, int value) {
        int out = 0;
        for (int bit = 0; value != 0; bit++, value >>>= 1) {
            if ((value & 1) != 0) {
                out ^= map[bit];
            }
        }
        return out;
    }

    private static int[][] powers() {
        int[][] powers = new int[16][16];
        for (int bit = 0; bit < 16; bit++) {
            powers[0][bit] = Mp3InfoTag.crc16(new byte[1], 0, 1, 1 << bit);
        }
        for (int k = 1; k < 16; k++) {
            for (int bit = 0; bit < 16; bit++) {
                powers[k][bit] = apply(powers[k - 1], powers[k - 1][bit]);
            }
        }
        return powers;
    }
}
