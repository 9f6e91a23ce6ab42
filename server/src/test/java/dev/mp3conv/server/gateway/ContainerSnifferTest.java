package dev.mp3conv.server.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import dev.mp3conv.server.gateway.ContainerSniffer.Outcome;
import dev.mp3conv.server.gateway.ContainerSniffer.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerSnifferTest {
    private static Verdict sniff(byte[] bytes, boolean complete) {
        return ContainerSniffer.sniff(bytes, bytes.length, complete);
    }

    private static byte[] padded(byte[] head, int length) {
        return Arrays.copyOf(head, Math.max(length, head.length));
    }

    private static byte[] box(String type, int payload) {
        return ByteBuffer.allocate(8 + payload).putInt(8 + payload).put(type.getBytes(StandardCharsets.ISO_8859_1))
                .array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void recognisesContainersReadFrontToBackByTheirFirstBytes() {
        // the first bytes of files ffmpeg 5.1 wrote
        assertThat(sniff(padded(HexFormat.of().parseHex("1a45dfa3a3428681"), 64), false))
                .isEqualTo(new Verdict(Outcome.STREAM, "matroska", "Matroska/WebM is read front to back"));
        assertThat(sniff(padded(HexFormat.of().parseHex("464c560105000000"), 64), false).container()).isEqualTo("flv");
        assertThat(sniff(padded("OggS".getBytes(StandardCharsets.US_ASCII), 64), false).container()).isEqualTo("ogg");
        assertThat(sniff(padded(HexFormat.of().parseHex("52494646ce58010057415645"), 64), false).container())
                .isEqualTo("wav");
        assertThat(sniff(padded("ID3".getBytes(StandardCharsets.US_ASCII), 64), false).container()).isEqualTo("mp3");
        // a bare MPEG-1 layer III frame, 128 kb/s 44.1 kHz
        assertThat(sniff(padded(HexFormat.of().parseHex("fffb9064"), 64), false).container()).isEqualTo("mp3");
        byte[] ts = new byte[4 * 188];
        for (int i = 0; i < 4; i++) {
            ts[i * 188] = 0x47;
        }
        assertThat(sniff(ts, false)).extracting(Verdict::outcome, Verdict::container)
                .containsExactly(Outcome.STREAM, "mpegts");
        // one sync byte is not yet a transport stream
        assertThat(sniff(Arrays.copyOf(ts, 300), false).outcome()).isEqualTo(Outcome.NEED_MORE);
        assertThat(sniff(Arrays.copyOf(ts, 300), true).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
    }

    @Test
    void anMp4StreamsOnlyWhenItsIndexComesBeforeItsMedia() {
        byte[] ftyp = box("ftyp", 24);
        assertThat(sniff(concat(ftyp, box("moov", 40)), false))
                .isEqualTo(new Verdict(Outcome.STREAM, "mp4", "MP4/MOV with its index (moov) before the media"));
        assertThat(sniff(concat(ftyp, box("free", 8), box("mdat", 40)), false))
                .isEqualTo(new Verdict(Outcome.AFTER_UPLOAD, "mp4", "MP4/MOV with its index (moov) after the media"));
        // QuickTime: ftyp, wide, then moov or mdat
        assertThat(sniff(concat(box("ftyp", 12), box("wide", 0), box("moov", 8)), false).outcome())
                .isEqualTo(Outcome.STREAM);
        // the next box header not here yet: wait for more bytes, and give up when there are no more
        assertThat(sniff(Arrays.copyOf(ftyp, 30), false).outcome()).isEqualTo(Outcome.NEED_MORE);
        assertThat(sniff(concat(ftyp, new byte[4]), false).outcome()).isEqualTo(Outcome.NEED_MORE);
        assertThat(sniff(ftyp, true).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
    }

    @Test
    void hostileBoxLengthsEndTheWalkWithoutReadingPastTheBytes() {
        byte[] ftyp = box("ftyp", 24);
        // a zero, a too-short and a huge 64-bit length before the index
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(16).putInt(0).put("free".getBytes()).array()), false)
                .outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(16).putInt(3).put("free".getBytes()).array()), false)
                .outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(24).putInt(1).put("free".getBytes())
                .putLong(Long.MAX_VALUE).array()), false)).extracting(Verdict::outcome)
                .isEqualTo(Outcome.AFTER_UPLOAD);
        // a box that claims to reach past the window: the index is not within it
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(16).putInt(1 << 20).put("free".getBytes()).array()), false)
                .reason()).contains("no index (moov) in the first 64 KiB");
        // a length that wraps: 0xFFFFFFFF read as unsigned
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(16).putInt(-1).put("skip".getBytes()).array()), false)
                .outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        // many tiny boxes
        byte[] many = ftyp;
        for (int i = 0; i < 40; i++) {
            many = concat(many, box("free", 0));
        }
        assertThat(sniff(concat(many, box("moov", 8)), false).reason()).contains("more than 16 boxes");
        // box types that are not four printable characters, an unknown box before the index
        assertThat(sniff(concat(ftyp, ByteBuffer.allocate(16).putInt(16).put(new byte[] {0, 1, 2, 3}).array()), false)
                .outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(concat(ftyp, box("moof", 8)), false).reason()).isEqualTo("an MP4 box 'moof' before the index");
        // moov without ftyp, mdat first
        assertThat(sniff(padded(box("moov", 8), 64), false).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(padded(box("mdat", 8), 64), false).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
    }

    @Test
    void unknownOrTooFewBytesConvertAfterTheUpload() {
        assertThat(sniff(new byte[64], false)).isEqualTo(new Verdict(Outcome.AFTER_UPLOAD, "unknown",
                "not a container that can be read while it arrives"));
        assertThat(sniff("<?xml version".getBytes(StandardCharsets.US_ASCII), false).outcome())
                .isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(new byte[5], false).outcome()).isEqualTo(Outcome.NEED_MORE);
        assertThat(sniff(new byte[5], true).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
        assertThat(sniff(new byte[0], true).outcome()).isEqualTo(Outcome.AFTER_UPLOAD);
    }
}
