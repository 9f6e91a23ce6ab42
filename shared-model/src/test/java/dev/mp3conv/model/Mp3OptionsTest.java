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

    @Test
    void everyAudioOptionRoundTripsThroughFormFields() {
        Mp3Options all = Mp3Options.fromFields(Map.of("quality", "2", "loudness", "-16", "start", "1:30",
                "end", "45:00", "cover", "true", "channels", "mono", "sample_rate", "44100", "title", " Talk ",
                "artist", "Ada Lovelace"));
        assertThat(all).isEqualTo(new Mp3Options(null, 2, -16.0, 90.0, 2700.0, true, 1, 44100, "Talk",
                "Ada Lovelace"));
        assertThat(all.fields()).containsEntry("start", "90").containsEntry("end", "2700")
                .containsEntry("loudness", "-16").containsEntry("channels", "mono");
        assertThat(Mp3Options.fromFields(all.fields())).isEqualTo(all);
        assertThat(all.changesAudio()).isTrue();
        assertThat(Mp3Options.fromFields(Map.of("cover", "yes", "title", "x")).changesAudio())
                .as("tags and the cover do not touch the audio").isFalse();
    }

    @Test
    void positionsAreSecondsOrClockTimes() {
        assertThat(Mp3Options.position("start", "10")).isEqualTo(10.0);
        assertThat(Mp3Options.position("start", "10.25")).isEqualTo(10.25);
        assertThat(Mp3Options.position("start", "1:30")).isEqualTo(90.0);
        assertThat(Mp3Options.position("start", "1:02:03.5")).isEqualTo(3723.5);
        assertThat(Mp3Options.position("start", "100:00:00")).isEqualTo(360000.0);
        assertThat(Mp3Options.clock(3723.5)).isEqualTo("1:02:03.500");
        assertThat(Mp3Options.clock(90)).isEqualTo("1:30.000");
        for (String bad : new String[] {"-1", "1e3", "1:60", "1:2", "1:00:60", "1.2345", "100:00:01", "101:00:00",
                "0x10", "١٠", "10s", "1::30", ":30", "1:30:", "NaN", "Infinity", "9999999", " 1 0"}) {
            assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("start", bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("start must be seconds");
        }
    }

    @Test
    void theTrimEndsAfterItStarts() {
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("start", "25", "end", "10")))
                .hasMessage("end must be after start");
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("start", "0:10", "end", "10")))
                .hasMessage("end must be after start");
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("end", "0"))).hasMessage(
                "end must be after the start of the audio");
        assertThat(Mp3Options.fromFields(Map.of("start", "0", "end", "5")).start()).as("0 is no trim").isNull();
        assertThatThrownBy(() -> new Mp3Options(null, null, null, Double.NaN, null, false, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loudnessIsATargetWithinTheSaneRange() {
        assertThat(Mp3Options.fromFields(Map.of("loudness", "-23")).loudness()).isEqualTo(-23.0);
        assertThat(Mp3Options.fromFields(Map.of("loudness", "-40")).loudness()).isEqualTo(-40.0);
        assertThat(Mp3Options.fromFields(Map.of("loudness", "-9")).loudness()).isEqualTo(-9.0);
        assertThat(Mp3Options.fromFields(Map.of("loudness", "-16.5")).loudness()).isEqualTo(-16.5);
        for (String bad : new String[] {"16", "-8.9", "-41", "-100", "0", "-0", "-16.123", "-1e1", "+16", "-16 LUFS",
                "−16", "NaN", "-", "--16"}) {
            assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("loudness", bad))).as(bad)
                    .hasMessage("loudness must be a target in LUFS from -40 to -9, e.g. -16");
        }
        assertThatThrownBy(() -> new Mp3Options(null, null, Double.NaN, null, null, false, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void channelsSampleRateAndCoverAreAllowListed() {
        assertThat(Mp3Options.fromFields(Map.of("channels", "Stereo")).channels()).isEqualTo(2);
        assertThat(Mp3Options.fromFields(Map.of("channels", "1")).channels()).isEqualTo(1);
        for (String bad : new String[] {"3", "5.1", "mono,stereo", "left", "0"}) {
            assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("channels", bad))).as(bad)
                    .hasMessage("channels must be mono or stereo");
        }
        for (int rate : Mp3Options.SAMPLE_RATES) {
            assertThat(Mp3Options.fromFields(Map.of("sample_rate", String.valueOf(rate))).sampleRate()).isEqualTo(rate);
        }
        for (String bad : new String[] {"44.1k", "96000", "8000", "44101", "044100", "44100 ", "4410O"}) {
            assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("sample_rate", bad + "x"))).as(bad)
                    .hasMessage("sample_rate must be one of 22050, 32000, 44100, 48000 (Hz)");
        }
        assertThat(Mp3Options.fromFields(Map.of("cover", "TRUE")).cover()).isTrue();
        assertThat(Mp3Options.fromFields(Map.of("cover", "false")).cover()).isFalse();
        for (String bad : new String[] {"maybe", "2", "on;rm"}) {
            assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("cover", bad))).hasMessage("cover must be true or false");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "line\nbreak", "tab\there", "esc\u001b[31m", "del\u007f", "c1\u0085",
            "rtl\u202eevil", "iso\u2066x", "sep\u2028x", "para\u2029x"})
    void titlesAndArtistsRefuseControlCharacters(String escaped) {
        String value = unescape(escaped);
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("title", value)))
                .hasMessage("title must not contain control characters");
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("artist", value)))
                .hasMessage("artist must not contain control characters");
    }

    @Test
    void titlesAndArtistsAreBoundedInCharacters() {
        String emoji = "\uD83C\uDFB5";
        assertThat(Mp3Options.fromFields(Map.of("title", unescape(emoji).repeat(256))).title()).hasSize(512);
        assertThatThrownBy(() -> Mp3Options.fromFields(Map.of("artist", "x".repeat(257))))
                .hasMessage("artist must be at most 256 characters");
        assertThat(Mp3Options.fromFields(Map.of("title", " Caf\u00e9 \u00abna\u00efve\u00bb \uD83D\uDC69\u200D\uD83D\uDCBB ")).title())
                .as("letters, punctuation and emoji sequences (with their zero-width joiner) are kept")
                .isEqualTo("Caf\u00e9 \u00abna\u00efve\u00bb \uD83D\uDC69\u200D\uD83D\uDCBB");
        assertThat(Mp3Options.fromFields(Map.of("title", "   ")).title()).isNull();
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && text.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (c == '\\' && text.charAt(i + 1) == 'n') {
                out.append('\n');
                i++;
            } else if (c == '\\' && text.charAt(i + 1) == 't') {
                out.append('\t');
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
