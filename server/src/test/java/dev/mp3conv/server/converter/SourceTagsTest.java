package dev.mp3conv.server.converter;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SourceTagsTest {
    @Test
    void readsTheGlobalSectionOfFfmetadataWithItsEscapes() {
        String text = ";FFMETADATA1\nmajor_brand=isom\nTitle=My \\= Talk\\; \\#1\nartist=Ann\ncomment=line1\\\nline2\n"
                + "encoder=Lavf59\n[STREAM]\ntitle=stream title\n[CHAPTER]\ntitle=chapter\n";

        assertThat(SourceTags.parseFfmetadata(text)).containsExactly(
                Map.entry("major_brand", "isom"), Map.entry("title", "My = Talk; #1"), Map.entry("artist", "Ann"),
                Map.entry("comment", "line1\nline2"), Map.entry("encoder", "Lavf59"));
    }

    @Test
    void keepsOnlyTitleArtistDateAndComment() {
        SourceTags tags = SourceTags.of(Map.of("major_brand", "isom", "title", "Talk", "artist", "Ann", "date", "2026",
                "comment", "c", "copyright", "x"), "talk.mp4");

        assertThat(tags).isEqualTo(new SourceTags("Talk", "Ann", "2026", "c"));
        assertThat(tags.ffmpegArgs()).containsExactly("-map_metadata", "-1", "-fflags", "+bitexact",
                "-metadata", "title=Talk", "-metadata", "artist=Ann", "-metadata", "date=2026", "-metadata", "comment=c");
    }

    @Test
    void withoutATitleTheFileNameWithoutItsExtensionIsTheTitle() {
        assertThat(SourceTags.of(Map.of(), "My Talk.final.mp4").title()).isEqualTo("My Talk.final");
        assertThat(SourceTags.of(Map.of("title", "  "), ".hidden").title()).isEqualTo(".hidden");
        assertThat(SourceTags.of(Map.of(), null).title()).isEqualTo("audio");
        assertThat(SourceTags.of(Map.of(), "a.mp4").ffmpegArgs()).containsExactly("-map_metadata", "-1",
                "-fflags", "+bitexact", "-metadata", "title=a");
    }

    @Test
    void hostileValuesAreBoundedAndLoseControlCharacters() {
        SourceTags tags = SourceTags.of(Map.of("title", "a\r\n-metadata\u0000x", "artist", "é".repeat(1000)), "x.mp4");

        assertThat(tags.title()).isEqualTo("a -metadata x");
        assertThat(tags.artist()).hasSize(SourceTags.MAX_VALUE);
        assertThat(tags.ffmpegArgs()).contains("title=a -metadata x");
    }
}
