package dev.mp3conv.server.gateway;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FilenamesTest {
    @Test
    void sanitiseKeepsOnlyTheBaseNameWithoutControlCharacters() {
        assertThat(Filenames.sanitise("C:\\Users\\me\\talk.mp4")).isEqualTo("talk.mp4");
        assertThat(Filenames.sanitise("../../etc/passwd")).isEqualTo("passwd");
        assertThat(Filenames.sanitise("a\u0000b\r\nc\u202E.mp4")).isEqualTo("abc.mp4");
        assertThat(Filenames.sanitise("  spaced.mp4  ")).isEqualTo("spaced.mp4");
        assertThat(Filenames.sanitise("Видео 🎬.mkv")).isEqualTo("Видео 🎬.mkv");
        assertThat(Filenames.sanitise("a\u2028b\u2029c\ue000\u200b\ufeff\u2066d.mp4")).as("separators, private use, invisible")
                .isEqualTo("abcd.mp4");
    }

    @Test
    void sanitiseFallsBackWhenNothingUsableIsLeft() {
        assertThat(Filenames.sanitise(null)).isEqualTo("upload");
        assertThat(Filenames.sanitise("")).isEqualTo("upload");
        assertThat(Filenames.sanitise("dir/")).isEqualTo("upload");
        assertThat(Filenames.sanitise("..")).isEqualTo("upload");
        assertThat(Filenames.sanitise("\u0007\u0008")).isEqualTo("upload");
    }

    @Test
    void sanitiseCapsTheLengthWithoutSplittingACharacter() {
        String name = Filenames.sanitise("🎬".repeat(300));
        assertThat(name.codePointCount(0, name.length())).isEqualTo(255);
        assertThat(name).isEqualTo("🎬".repeat(255));
    }

    @Test
    void mp3NameReplacesTheExtension() {
        assertThat(Filenames.mp3Name("talk.final.mp4")).isEqualTo("talk.final.mp3");
        assertThat(Filenames.mp3Name("talk")).isEqualTo("talk.mp3");
        assertThat(Filenames.mp3Name(".hidden")).isEqualTo(".hidden.mp3");
    }

    @Test
    void attachmentAddsAnRfc8187NameOnlyWhenNeeded() {
        assertThat(Filenames.attachment("talk.mp3")).isEqualTo("attachment; filename=\"talk.mp3\"");
        assertThat(Filenames.attachment("€ rates.mp3"))
                .isEqualTo("attachment; filename=\"_ rates.mp3\"; filename*=UTF-8''%E2%82%AC%20rates.mp3");
        assertThat(Filenames.attachment("say \"hi\".mp3"))
                .isEqualTo("attachment; filename=\"say _hi_.mp3\"; filename*=UTF-8''say%20%22hi%22.mp3");
    }
}
