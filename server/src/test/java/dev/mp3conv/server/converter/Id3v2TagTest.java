package dev.mp3conv.server.converter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Id3v2TagTest {
    @Test
    void textFramesInUtf8AfterAVersion4Header() {
        byte[] tag = Id3v2Tag.of(new SourceTags("Vortrag über März", null, "2026", null));
        assertThat(Arrays.copyOf(tag, 6)).isEqualTo(new byte[] {'I', 'D', '3', 4, 0, 0});
        int size = tag[6] << 21 | tag[7] << 14 | tag[8] << 7 | tag[9];
        assertThat(size).isEqualTo(tag.length - 10);
        byte[] title = "Vortrag über März".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(tag, 10, 4, StandardCharsets.US_ASCII)).isEqualTo("TIT2");
        assertThat(tag[17]).isEqualTo((byte) (title.length + 1));
        assertThat(tag[20]).as("UTF-8").isEqualTo((byte) 3);
        assertThat(Arrays.copyOfRange(tag, 21, 21 + title.length)).isEqualTo(title);
        assertThat(new String(tag, 21 + title.length, 4, StandardCharsets.US_ASCII)).isEqualTo("TDRC");
    }

    @Test
    void nothingToWriteIsNoTag() {
        assertThat(Id3v2Tag.of(new SourceTags(null, null, null, null))).isEmpty();
    }

    @Test
    void sizesAreSynchsafe() {
        assertThat(Id3v2Tag.synchsafe(0x0fffffff)).containsExactly(0x7f, 0x7f, 0x7f, 0x7f);
        assertThat(Id3v2Tag.synchsafe(200)).containsExactly(0, 0, 1, 0x48);
        assertThatThrownBy(() -> Id3v2Tag.synchsafe(1 << 28)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theAlbumAndTheCoverGoInTheirOwnFrames() {
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, 1, 2, 3, (byte) 0xff, (byte) 0xd9};
        byte[] tag = Id3v2Tag.of(new SourceTags("T", null, "Album", null, null), jpeg);
        String text = new String(tag, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("TALB").contains("APIC");
        int apic = text.indexOf("APIC");
        // frame body: UTF-8 encoding byte, MIME type and NUL, picture type 3 (front cover), empty description, data
        byte[] body = java.util.Arrays.copyOfRange(tag, apic + 10, tag.length);
        assertThat(body[0]).isEqualTo((byte) 3);
        assertThat(new String(body, 1, 10, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("image/jpeg");
        assertThat(body[11]).isZero();
        assertThat(body[12]).isEqualTo((byte) 3);
        assertThat(body[13]).isZero();
        assertThat(java.util.Arrays.copyOfRange(body, 14, body.length)).isEqualTo(jpeg);
        assertThat(Id3v2Tag.of(SourceTags.NONE, null)).isEmpty();
    }
}
