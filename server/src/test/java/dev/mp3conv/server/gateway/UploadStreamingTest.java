package dev.mp3conv.server.gateway;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import dev.mp3conv.model.JobStreaming;
import dev.mp3conv.model.Mp3Options;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one streaming rule as a multipart file part meets it: read ahead only as far as the choice needs. */
class UploadStreamingTest {
    private static final UploadStreaming ON = new UploadStreaming(null, null, null, true);

    /** Hands out at most {@code step} bytes per read, as a socket does, and counts what was read. */
    private static final class Trickle extends FilterInputStream {
        private final int step;
        private int read;

        Trickle(byte[] bytes, int step) {
            super(new ByteArrayInputStream(bytes));
            this.step = step;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, Math.min(len, step));
            read += Math.max(0, n);
            return n;
        }
    }

    private static byte[] matroska(int length) {
        return Arrays.copyOf(HexFormat.of().parseHex("1a45dfa3a3428681"), length);
    }

    private static byte[] box(String type, int payload) {
        return ByteBuffer.allocate(8 + payload).putInt(8 + payload).put(type.getBytes(StandardCharsets.ISO_8859_1))
                .array();
    }

    @Test
    void aMatroskaPartStreamsAfterItsFirstReadAndTheBytesReadAheadComeBackInFront() throws IOException {
        byte[] file = matroska(200_000);
        Arrays.fill(file, 100, file.length, (byte) 7);
        Trickle part = new Trickle(file, 16);
        UploadStreaming.Head head = ON.readHead(Map.of(), part);
        assertThat(head.streams()).isTrue();
        assertThat(head.choice()).isEqualTo(new JobStreaming(JobStreaming.STREAMING, "matroska",
                "Matroska/WebM is read front to back", null));
        assertThat(part.read).as("only what the choice needed").isEqualTo(16);
        try (InputStream whole = head.then(part)) {
            assertThat(whole.readAllBytes()).isEqualTo(file);
        }
    }

    @Test
    void anMp4WithItsIndexAtTheEndIsToldAfterItsBoxesAndConvertsAfterTheUpload() throws IOException {
        byte[] file = new byte[100_000];
        ByteBuffer.wrap(file).put(box("ftyp", 16)).put(box("mdat", 1000));
        Trickle part = new Trickle(file, 7);
        UploadStreaming.Head head = ON.readHead(Map.of(), part);
        assertThat(head.streams()).isFalse();
        assertThat(head.choice()).isEqualTo(new JobStreaming(JobStreaming.AFTER_UPLOAD, "mp4",
                "MP4/MOV with its index (moov) after the media", null));
        assertThat(part.read).isLessThan(64);
        try (InputStream whole = head.then(part)) {
            assertThat(whole.readAllBytes()).isEqualTo(file);
        }
    }

    @Test
    void aPartShorterThanTheSniffNeedsIsJudgedAtItsEnd() throws IOException {
        byte[] file = {0x1a, 0x45, (byte) 0xdf};
        UploadStreaming.Head head = ON.readHead(Map.of(), new Trickle(file, 1));
        assertThat(head.streams()).isFalse();
        assertThat(head.bytes()).isEqualTo(file);
    }

    @Test
    void optionsThatNeedTheWholeInputOrStreamingTurnedOffDecideBeforeAnyByte() throws IOException {
        for (String field : new String[] {Mp3Options.LOUDNESS_FIELD, Mp3Options.COVER_FIELD}) {
            Trickle part = new Trickle(matroska(1000), 16);
            UploadStreaming.Head head = ON.readHead(Map.of(field, "x"), part);
            assertThat(head.choice()).isEqualTo(new JobStreaming(JobStreaming.AFTER_UPLOAD, "unknown",
                    "loudness and cover need the whole input first", null));
            assertThat(part.read).isZero();
        }
        Trickle part = new Trickle(matroska(1000), 16);
        UploadStreaming.Head off = new UploadStreaming(null, null, null, false).readHead(Map.of(), part);
        assertThat(off.choice().reason()).isEqualTo("converting while uploading is turned off here");
        assertThat(part.read).isZero();
    }
}
