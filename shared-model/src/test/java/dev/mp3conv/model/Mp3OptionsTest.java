package dev.mp3conv.model;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Mp3OptionsTest {
    @Test
    void acceptsTheFourteenLameRatesInAnySpellingAndNormalisesThem() {
        assertThat(Mp3Options.BITRATES).hasSize(14);
        for (int rate : Mp3Options.BITRATES) {
            assertThat(Mp3Options.parse(rate + "k", null).bitrate()).isEqualTo(rate + "k");
            assertThat(Mp3Options.parse(rate + "K", null).bitrate()).isEqualTo(rate + "k");
            assertThat(Mp3Options.parse(" " + rate + " ", "").bitrate()).isEqualTo(rate + "k");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"100k", "8k", "16k", "24k", "144k", "0", "1000k", "192kb", "fast", "-192k", "192k "
            + "x", "１９２k"})
    void rejectsEveryOtherBitrate(String bitrate) {
        assertThatThrownBy(() -> Mp3Options.parse(bitrate, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bitrate must be one of 32k, 40k, 48k, 56k, 64k, 80k, 96k, 112k, 128k, 160k, 192k, "
                        + "224k, 256k, 320k");
    }

    @Test
    void qualityIsOneDigitFrom0To9() {
        for (int q = 0; q <= 9; q++) {
            assertThat(Mp3Options.parse(null, String.valueOf(q)).quality()).isEqualTo(q);
        }
        for (String bad : new String[] {"10", "-1", "a", "2.5", "٣"}) {
            assertThatThrownBy(() -> Mp3Options.parse(null, bad)).as(bad)
                    .hasMessage("quality must be a VBR quality from 0 (best) to 9");
        }
        assertThatThrownBy(() -> new Mp3Options(null, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bitrateAndQualityExcludeEachOther() {
        assertThatThrownBy(() -> Mp3Options.parse("192k", "2"))
                .hasMessage("give either a bitrate (CBR) or a quality (VBR), not both");
    }

    @Test
    void nothingAskedIsNoneAndRoundTripsThroughFormFields() {
        assertThat(Mp3Options.parse(null, " ")).isEqualTo(Mp3Options.NONE);
        assertThat(Mp3Options.NONE.fields()).isEmpty();
        Mp3Options cbr = Mp3Options.parse("256", null);
        assertThat(cbr.fields()).isEqualTo(Map.of("bitrate", "256k"));
        assertThat(Mp3Options.fromFields(cbr.fields())).isEqualTo(cbr);
        Mp3Options vbr = Mp3Options.fromFields(Map.of("quality", "3", "other", "ignored"));
        assertThat(vbr).isEqualTo(new Mp3Options(null, 3));
        assertThat(vbr.fields()).isEqualTo(Map.of("quality", "3"));
    }
}
