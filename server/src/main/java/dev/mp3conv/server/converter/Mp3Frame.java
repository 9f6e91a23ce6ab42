package dev.mp3conv.server.converter;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * One MPEG audio layer III frame as LAME writes it, and what the segment stitcher needs of it: the
 * header (version, sample rate, channels, length) and the first bits of the side information
 * ({@code main_data_begin}: how many bytes before this header the frame's main data starts, the bit
 * reservoir). Nothing else of the frame is decoded.
 *
 * @param bytes the whole frame: header, optional CRC, side information, main data slot
 */
record Mp3Frame(byte[] bytes) {
    /** Samples per MPEG-1 layer III frame (MPEG-2 and 2.5 have half). */
    static final int MPEG1_SAMPLES = 1152;

    private static final int[] MPEG1_BITRATES = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] MPEG2_BITRATES = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    private static final int[] MPEG1_RATES = {44100, 48000, 32000};

    /**
     * Whether the frame is MPEG-1 (32, 44.1, 48 kHz; 1152 samples, 9-bit {@code main_data_begin}).
     *
     * @return true for MPEG-1
     */
    boolean mpeg1() {
        return ((bytes[1] >> 3) & 0x3) == 3;
    }

    int sampleRate() {
        return sampleRate(bytes);
    }

    int channels() {
        return ((bytes[3] >> 6) & 0x3) == 3 ? 1 : 2;
    }

    int bitrateKbps() {
        int index = (bytes[2] >> 4) & 0xF;
        return mpeg1() ? MPEG1_BITRATES[index] : MPEG2_BITRATES[index];
    }

    int samples() {
        return mpeg1() ? MPEG1_SAMPLES : MPEG1_SAMPLES / 2;
    }

    int length() {
        return bytes.length;
    }

    /**
     * Offset of the side information: after the 4-byte header and, when the protection bit says so,
     * the 2-byte CRC.
     *
     * @return offset in the frame
     */
    int sideInfoOffset() {
        return (bytes[1] & 0x1) == 0 ? 6 : 4;
    }

    int sideInfoLength() {
        if (mpeg1()) {
            return channels() == 1 ? 17 : 32;
        }
        return channels() == 1 ? 9 : 17;
    }

    /**
     * Where this frame's main data slot starts (after header, CRC and side information).
     *
     * @return offset in the frame
     */
    int mainDataOffset() {
        return sideInfoOffset() + sideInfoLength();
    }

    /**
     * How many bytes of main data slots before this frame's header its own main data starts.
     *
     * @return 0..511 (MPEG-1) or 0..255
     */
    int mainDataBegin() {
        int at = sideInfoOffset();
        int first = bytes[at] & 0xFF;
        if (mpeg1()) {
            return (first << 1) | ((bytes[at + 1] & 0xFF) >> 7);
        }
        return first;
    }

    /**
     * Whether this is a Xing/Info tag frame (it carries no audio the decoder plays).
     *
     * @return true when "Xing" or "Info" follows the side information
     */
    boolean tag() {
        int at = mainDataOffset();
        if (bytes.length < at + 4) {
            return false;
        }
        String id = new String(bytes, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        return id.equals("Xing") || id.equals("Info");
    }

    /**
     * Whether two frames can follow each other in one stream: same MPEG version, rate and channels.
     *
     * @param other the other frame
     * @return true when compatible
     */
    boolean compatible(Mp3Frame other) {
        return mpeg1() == other.mpeg1() && sampleRate() == other.sampleRate() && channels() == other.channels();
    }

    /**
     * Parses the frame length a 4-byte header announces.
     *
     * @param header at least 4 bytes
     * @return the length, empty when the bytes are not a layer III header this stitcher takes (free
     *         format and reserved values included)
     */
    static Optional<Integer> frameLength(byte[] header) {
        int length = frameLength(((header[0] & 0xFF) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8)
                | (header[3] & 0xFF));
        return length < 0 ? Optional.empty() : Optional.of(length);
    }

    /**
     * Parses the frame length a header announces, as {@link #frameLength(byte[])} does, without allocating
     * (the stitcher indexes every frame of its segments).
     *
     * @param header the 4 header bytes, big-endian
     * @return the length, -1 when they are not a layer III header this stitcher takes
     */
    static int frameLength(int header) {
        if ((header >>> 24) != 0xFF || ((header >>> 16) & 0xE0) != 0xE0) {
            return -1;
        }
        int version = (header >>> 19) & 0x3;
        int layer = (header >>> 17) & 0x3;
        int bitrateIndex = (header >>> 12) & 0xF;
        int rateIndex = (header >>> 10) & 0x3;
        if (version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return -1;
        }
        boolean mpeg1 = version == 3;
        int bitrate = (mpeg1 ? MPEG1_BITRATES : MPEG2_BITRATES)[bitrateIndex] * 1000;
        int base = MPEG1_RATES[rateIndex];
        int rate = version == 3 ? base : version == 2 ? base / 2 : base / 4;
        int padding = (header >>> 9) & 0x1;
        return (mpeg1 ? 144 : 72) * bitrate / rate + padding;
    }

    private static int sampleRate(byte[] header) {
        int version = (header[1] >> 3) & 0x3;
        int base = MPEG1_RATES[(header[2] >> 2) & 0x3];
        return switch (version) {
            case 3 -> base;
            case 2 -> base / 2;
            default -> base / 4;
        };
    }

    /**
     * Reads MP3 frames one at a time from a stream that holds nothing else (an ID3v2 tag at the
     * start is skipped, an ID3v1 tag at the end ends it). Anything else between frames is refused:
     * these streams come from our own ffmpeg runs.
     */
    static final class Reader {
        private final InputStream in;
        private boolean started;
        private long offset;

        Reader(InputStream in) {
            this.in = in;
        }

        /**
         * The next frame.
         *
         * @return the frame, empty at the end of the stream
         * @throws IOException when the stream fails or holds something that is not a frame
         */
        Optional<Mp3Frame> next() throws IOException {
            byte[] header = new byte[4];
            int got = in.readNBytes(header, 0, 4);
            if (got == 0) {
                return Optional.empty();
            }
            if (got < 4) {
                throw new EOFException("MP3 stream ends inside a frame header at byte " + offset);
            }
            if (!started && header[0] == 'I' && header[1] == 'D' && header[2] == '3') {
                skipId3v2();
                return next();
            }
            started = true;
            if (header[0] == 'T' && header[1] == 'A' && header[2] == 'G') {
                return Optional.empty();
            }
            int length = frameLength(header).orElseThrow(() -> new IOException(
                    "not an MP3 layer III frame header at byte " + offset + ": " + Arrays.toString(header)));
            byte[] frame = Arrays.copyOf(header, length);
            if (in.readNBytes(frame, 4, length - 4) != length - 4) {
                throw new EOFException("MP3 stream ends inside a frame at byte " + offset);
            }
            offset += length;
            return Optional.of(new Mp3Frame(frame));
        }

        private void skipId3v2() throws IOException {
            byte[] rest = in.readNBytes(6);
            if (rest.length < 6) {
                throw new EOFException("MP3 stream ends inside an ID3v2 header");
            }
            long size = ((rest[2] & 0x7F) << 21) | ((rest[3] & 0x7F) << 14) | ((rest[4] & 0x7F) << 7) | (rest[5] & 0x7F);
            boolean footer = (rest[1] & 0x10) != 0;
            long skip = size + (footer ? 10 : 0);
            in.skipNBytes(skip);
            offset += 10 + skip;
        }
    }
}
