package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Xing/Info frame with its LAME extension that starts an MP3 (written by ffmpeg's muxer for a
 * seekable output): frame count, byte count, a 100-entry seek table (TOC), and the encoder delay
 * and end padding that let decoders trim the output to the exact input length. The stitcher reads
 * the tags of its segments (delay of the first, padding of the last) and writes one for the whole
 * file by rewriting the first segment's tag frame, so bitrate, encoder string and flags stay those
 * of the encoder that made the audio.
 *
 * <p>Layout from the tag id ({@code Xing} for VBR, {@code Info} for CBR), which follows the side
 * information: id 4, flags 4, frames 4, bytes 4, TOC 100, quality 4, then the LAME extension:
 * encoder 9, revision 1, lowpass 1, replay gain 8, flags 1, bitrate 1, delay and padding 3 (12 bits
 * each), misc 1, gain 1, preset 2, music length 4, music CRC 2, tag CRC 2 (CRC-16 of the frame up
 * to that field).
 */
final class Mp3InfoTag {
    static final int TOC_ENTRIES = 100;

    private static final int FLAGS = 4;
    private static final int FRAMES = 8;
    private static final int BYTES = 12;
    private static final int TOC = 16;
    private static final int LAME = 120;
    private static final int DELAY_PADDING = LAME + 21;
    private static final int MUSIC_LENGTH = LAME + 28;
    private static final int MUSIC_CRC = LAME + 32;
    private static final int TAG_CRC = LAME + 34;
    private static final int FLAG_FRAMES_BYTES_TOC = 0x7;
    private static final int[] CRC16_TABLE = crc16Table();

    private final Mp3Frame frame;
    private final int at;

    private Mp3InfoTag(Mp3Frame frame) {
        this.frame = frame;
        this.at = frame.mainDataOffset();
    }

    /**
     * Reads a tag frame that has the LAME extension.
     *
     * @param frame a frame for which {@link Mp3Frame#tag()} holds
     * @return the tag
     * @throws IOException when it is not one or has no LAME extension
     */
    static Mp3InfoTag of(Mp3Frame frame) throws IOException {
        if (!frame.tag() || frame.length() < frame.mainDataOffset() + TAG_CRC + 2) {
            throw new IOException("the MP3 does not start with a Xing/Info frame with a LAME extension");
        }
        return new Mp3InfoTag(frame);
    }

    Mp3Frame frame() {
        return frame;
    }

    /** Audio frames the tag counts (the tag frame itself excluded). */
    long frames() {
        return readInt(at + FRAMES);
    }

    /** The music length: bytes from the start of this frame to the end of the last audio frame. */
    long musicLength() {
        return readInt(at + MUSIC_LENGTH);
    }

    /** The music CRC: CRC-16 of the audio frames after this one, as ffmpeg's muxer writes it. */
    int musicCrc() {
        return readInt16(at + MUSIC_CRC);
    }

    /** Encoder delay in samples (576 for LAME 3.100). */
    int delay() {
        return readInt24(at + DELAY_PADDING) >> 12;
    }

    /** Samples of padding after the last input sample in the last frame. */
    int padding() {
        return readInt24(at + DELAY_PADDING) & 0xFFF;
    }

    /** The encoder string of the LAME extension ("LAME3.100", "Lavc59.37"). */
    String encoder() {
        return new String(frame.bytes(), at + LAME, 9, StandardCharsets.ISO_8859_1).trim();
    }

    /** Whether the stored tag CRC matches the frame's bytes. */
    boolean crcValid() {
        return crc16(frame.bytes(), 0, at + TAG_CRC, 0) == readInt16(at + TAG_CRC);
    }

    /**
     * This tag frame rewritten to describe a whole stitched file.
     *
     * @param frames   audio frames in the file (the tag frame not counted)
     * @param bytes    bytes of the file from the tag frame's first byte to the end
     * @param toc      seek table: entry i is 256 times the byte offset of the frame at i% of the
     *                 frames, divided by {@code bytes}
     * @param delay    encoder delay in samples
     * @param padding  end padding in samples (at most 4095)
     * @param musicCrc CRC-16 of every audio frame's bytes, in order
     * @return the new tag frame
     */
    Mp3Frame rewrite(long frames, long bytes, byte[] toc, int delay, int padding, int musicCrc) {
        if (toc.length != TOC_ENTRIES || delay < 0 || delay > 0xFFF || padding < 0 || padding > 0xFFF) {
            throw new IllegalArgumentException("toc of 100 entries, delay and padding 0..4095");
        }
        byte[] out = Arrays.copyOf(frame.bytes(), frame.length());
        writeInt(out, at + FLAGS, readInt(at + FLAGS) | FLAG_FRAMES_BYTES_TOC);
        writeInt(out, at + FRAMES, frames);
        writeInt(out, at + BYTES, bytes);
        System.arraycopy(toc, 0, out, at + TOC, TOC_ENTRIES);
        int delayPadding = (delay << 12) | padding;
        out[at + DELAY_PADDING] = (byte) (delayPadding >> 16);
        out[at + DELAY_PADDING + 1] = (byte) (delayPadding >> 8);
        out[at + DELAY_PADDING + 2] = (byte) delayPadding;
        writeInt(out, at + MUSIC_LENGTH, bytes);
        out[at + MUSIC_CRC] = (byte) (musicCrc >> 8);
        out[at + MUSIC_CRC + 1] = (byte) musicCrc;
        int tagCrc = crc16(out, 0, at + TAG_CRC, 0);
        out[at + TAG_CRC] = (byte) (tagCrc >> 8);
        out[at + TAG_CRC + 1] = (byte) tagCrc;
        return new Mp3Frame(out);
    }

    /**
     * The seek table of a file from the byte offsets of its frames.
     *
     * @param frameOffsets offset of each audio frame from the tag frame's first byte
     * @param frames       how many of {@code frameOffsets} are used
     * @param bytes        total bytes from the tag frame's first byte
     * @return 100 entries
     */
    static byte[] toc(long[] frameOffsets, int frames, long bytes) {
        byte[] toc = new byte[TOC_ENTRIES];
        for (int i = 0; i < TOC_ENTRIES; i++) {
            long offset = frames == 0 ? 0 : frameOffsets[(int) ((long) i * frames / TOC_ENTRIES)];
            toc[i] = (byte) Math.min(255, offset * 256 / Math.max(1, bytes));
        }
        return toc;
    }

    /**
     * CRC-16 as LAME and ffmpeg compute it for the tag and the music (polynomial 0x8005, reflected,
     * initial value as given).
     *
     * @param data   bytes
     * @param offset first byte
     * @param length number of bytes
     * @param crc    the CRC so far (0 to start)
     * @return the updated CRC
     */
    static int crc16(byte[] data, int offset, int length, int crc) {
        int[] t = CRC16_TABLE;
        int value = crc & 0xFFFF;
        int i = offset;
        int end = offset + length;
        // eight bytes a step ("slicing by 8"): the music CRC covers the whole stitched file (29 MB for 20 minutes
        // at 192k), which one byte a step took 70-85 ms of a 120 ms stitch to checksum
        for (; i + 8 <= end; i += 8) {
            value = t[7 * 256 + ((data[i] ^ value) & 0xFF)] ^ t[6 * 256 + ((data[i + 1] ^ (value >>> 8)) & 0xFF)]
                    ^ t[5 * 256 + (data[i + 2] & 0xFF)] ^ t[4 * 256 + (data[i + 3] & 0xFF)]
                    ^ t[3 * 256 + (data[i + 4] & 0xFF)] ^ t[2 * 256 + (data[i + 5] & 0xFF)]
                    ^ t[256 + (data[i + 6] & 0xFF)] ^ t[data[i + 7] & 0xFF];
        }
        for (; i < end; i++) {
            value = (value >>> 8) ^ t[(value ^ data[i]) & 0xFF];
        }
        return value & 0xFFFF;
    }

    /** Table {@code k} (entries {@code 256·k} on) is the CRC of a byte followed by {@code k} zero bytes. */
    private static int[] crc16Table() {
        int[] table = new int[8 * 256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            table[n] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int n = 0; n < 256; n++) {
                int previous = table[(k - 1) * 256 + n];
                table[k * 256 + n] = (previous >>> 8) ^ table[previous & 0xFF];
            }
        }
        return table;
    }

    private long readInt(int offset) {
        byte[] b = frame.bytes();
        return ((long) (b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16) | ((b[offset + 2] & 0xFF) << 8)
                | (b[offset + 3] & 0xFF);
    }

    private int readInt24(int offset) {
        byte[] b = frame.bytes();
        return ((b[offset] & 0xFF) << 16) | ((b[offset + 1] & 0xFF) << 8) | (b[offset + 2] & 0xFF);
    }

    private int readInt16(int offset) {
        byte[] b = frame.bytes();
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }

    private static void writeInt(byte[] out, int offset, long value) {
        out[offset] = (byte) (value >> 24);
        out[offset + 1] = (byte) (value >> 16);
        out[offset + 2] = (byte) (value >> 8);
        out[offset + 3] = (byte) value;
    }
}
