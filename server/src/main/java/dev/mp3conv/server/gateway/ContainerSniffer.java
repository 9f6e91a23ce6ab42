package dev.mp3conv.server.gateway;

import java.nio.charset.StandardCharsets;

/**
 * Tells from an upload's first bytes whether ffmpeg can convert it while the rest still arrives (issue 24):
 * a container that is read front to back (Matroska/WebM, MPEG-TS, FLV, MP3, WAV, Ogg) or an MP4/MOV whose
 * index ({@code moov}) comes before its media ({@code mdat}). An MP4 with the index at the end makes ffmpeg
 * fail at once on a growing input ("partial file", FINDINGS.md), and anything not recognised here is
 * converted after the upload as before, so a wrong "no" only costs the old latency.
 *
 * <p>The bytes are the uploader's: every length read from them is checked against the bytes at hand and
 * the walk over MP4 boxes stops after {@value #MAX_BOXES} boxes or {@value #WINDOW} bytes.
 */
final class ContainerSniffer {
    /** The most bytes looked at; an MP4 whose index does not start within them converts after the upload. */
    static final int WINDOW = 64 * 1024;
    private static final int MAX_BOXES = 16;
    private static final int TS_PACKET = 188;

    private ContainerSniffer() {
    }

    /** What the first bytes say. */
    enum Outcome { STREAM, AFTER_UPLOAD, NEED_MORE }

    /**
     * A decision.
     *
     * @param outcome   stream, convert after the upload, or not enough bytes yet
     * @param container the container found (e.g. {@code matroska}, {@code mp4}), or {@code unknown}
     * @param reason    why, in a few words (logged and shown in the job)
     */
    record Verdict(Outcome outcome, String container, String reason) {
        boolean decided() {
            return outcome != Outcome.NEED_MORE;
        }
    }

    /**
     * Judges the first bytes of an upload.
     *
     * @param head     the bytes from offset 0
     * @param length   how many of them are valid
     * @param complete whether these are all the bytes there will be (the whole upload, or {@link #WINDOW})
     * @return the verdict; never {@link Outcome#NEED_MORE} when {@code complete}
     */
    static Verdict sniff(byte[] head, int length, boolean complete) {
        int n = Math.min(length, head.length);
        Verdict verdict = judge(head, n, complete || n >= WINDOW);
        if (verdict.outcome() == Outcome.NEED_MORE && (complete || n >= WINDOW)) {
            return new Verdict(Outcome.AFTER_UPLOAD, verdict.container(), "not recognised in its first bytes");
        }
        return verdict;
    }

    private static Verdict judge(byte[] b, int n, boolean complete) {
        if (n < 12) {
            return need("unknown");
        }
        if (u8(b, 0) == 0x1A && u8(b, 1) == 0x45 && u8(b, 2) == 0xDF && u8(b, 3) == 0xA3) {
            return stream("matroska", "Matroska/WebM is read front to back");
        }
        if (ascii(b, 0, "FLV") && u8(b, 3) == 1) {
            return stream("flv", "FLV is read front to back");
        }
        if (ascii(b, 0, "OggS")) {
            return stream("ogg", "Ogg is read front to back");
        }
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) {
            return stream("wav", "WAV is read front to back");
        }
        if (ascii(b, 0, "ID3") || mp3Frame(b)) {
            return stream("mp3", "MP3 is read front to back");
        }
        if (u8(b, 0) == 0x47) {
            if (n <= 3 * TS_PACKET) {
                return complete ? after("unknown", "not recognised in its first bytes") : need("mpegts");
            }
            if (u8(b, TS_PACKET) == 0x47 && u8(b, 2 * TS_PACKET) == 0x47 && u8(b, 3 * TS_PACKET) == 0x47) {
                return stream("mpegts", "MPEG-TS is read front to back");
            }
        }
        if (isBoxType(b, 4)) {
            return mp4(b, n, complete);
        }
        return after("unknown", "not a container that can be read while it arrives");
    }

    /** Walks top-level ISO-BMFF boxes until {@code moov} (stream) or {@code mdat} (index at the end). */
    private static Verdict mp4(byte[] b, int n, boolean complete) {
        long at = 0;
        for (int i = 0; i < MAX_BOXES; i++) {
            if (at + 8 > n) {
                return complete ? after("mp4", "no index (moov) in the first " + WINDOW / 1024 + " KiB")
                        : need("mp4");
            }
            int pos = (int) at;
            long size = u32(b, pos);
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (!isBoxType(b, pos + 4)) {
                return after(i == 0 ? "unknown" : "mp4", "not a container that can be read while it arrives");
            }
            switch (type) {
                case "moov":
                    return i == 0 ? after("unknown", "an index without a file type (ftyp)")
                            : stream("mp4", "MP4/MOV with its index (moov) before the media");
                case "mdat":
                    return after(i == 0 ? "unknown" : "mp4", "MP4/MOV with its index (moov) after the media");
                case "ftyp", "free", "skip", "wide", "pdin", "uuid", "pnot":
                    break;
                default:
                    return after(i == 0 ? "unknown" : "mp4", "an MP4 box '" + printable(type) + "' before the index");
            }
            if (i == 0 && !"ftyp".equals(type)) {
                return after("unknown", "not a container that can be read while it arrives");
            }
            long header = 8;
            if (size == 1) {
                if (pos + 16 > n) {
                    return complete ? after("mp4", "truncated box header") : need("mp4");
                }
                size = u64(b, pos + 8);
                header = 16;
            }
            if (size < header) {
                // 0 (to the end of the file) before the index, or a length shorter than its own header
                return after("mp4", "a box without a usable length before the index");
            }
            at += size;
            if (at >= WINDOW) {
                return after("mp4", "no index (moov) in the first " + WINDOW / 1024 + " KiB");
            }
        }
        return after("mp4", "more than " + MAX_BOXES + " boxes before the index");
    }

    /** An MPEG-1/2 layer III frame header: sync, layer III, a bitrate index other than free/bad, a known rate. */
    private static boolean mp3Frame(byte[] b) {
        int b1 = u8(b, 1);
        int b2 = u8(b, 2);
        return u8(b, 0) == 0xFF && (b1 & 0xE0) == 0xE0 && (b1 & 0x18) != 0x08 && (b1 & 0x06) == 0x02
                && (b2 & 0xF0) != 0xF0 && (b2 & 0xF0) != 0 && (b2 & 0x0C) != 0x0C;
    }

    private static boolean isBoxType(byte[] b, int at) {
        for (int i = at; i < at + 4; i++) {
            int c = u8(b, i);
            // four characters from a-z, A-Z, 0-9 or space (ISO-BMFF types, QuickTime's too)
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String type) {
        return type.replaceAll("[^A-Za-z0-9 ]", "?");
    }

    private static boolean ascii(byte[] b, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (b[at + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    private static long u32(byte[] b, int at) {
        return ((long) u8(b, at) << 24) | (u8(b, at + 1) << 16) | (u8(b, at + 2) << 8) | u8(b, at + 3);
    }

    private static long u64(byte[] b, int at) {
        long high = u32(b, at);
        long low = u32(b, at + 4);
        // a 64-bit length past 2^62 is not a file anyone uploads: treat it as unusable
        return high > 0x3FFFFFFFL ? 0 : (high << 32) | low;
    }

    private static Verdict stream(String container, String reason) {
        return new Verdict(Outcome.STREAM, container, reason);
    }

    private static Verdict after(String container, String reason) {
        return new Verdict(Outcome.AFTER_UPLOAD, container, reason);
    }

    private static Verdict need(String container) {
        return new Verdict(Outcome.NEED_MORE, container, "not enough bytes yet");
    }
}
