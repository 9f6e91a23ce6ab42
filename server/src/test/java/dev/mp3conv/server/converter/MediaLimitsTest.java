package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MediaLimitsTest {
    private static final Mp3Encoding CBR_128 = new Mp3Encoding(List.of(), "128k", false, false);
    private static final Mp3Encoding VBR = new Mp3Encoding(List.of(), null, false, true);
    private static final Mp3Encoding COPY = new Mp3Encoding(List.of(), null, true, true);

    @Test
    void theOutputLimitIsTheBitrateOverTheDurationPlusAMargin() {
        MediaLimits limits = new MediaLimits(Duration.ofHours(12));
        // 128 kbit/s × 43,200 s = 691.2 MB, + 5% + 1 MiB
        assertThat(limits.maxOutputBytes(CBR_128)).isEqualTo((long) (16_000 * 43_200 * 1.05) + 1024 * 1024);
        // VBR and stream copies may reach the highest MP3 bitrate
        assertThat(limits.maxOutputBytes(VBR)).isEqualTo(limits.maxOutputBytes(COPY))
                .isEqualTo((long) (40_000 * 43_200 * 1.05) + 1024 * 1024);
        assertThat(limits.outputOptions(CBR_128)).containsExactly("-t", "43201.000", "-fs",
                String.valueOf(limits.maxOutputBytes(CBR_128)));
    }

    @Test
    void anOutputCutAtEitherLimitIsOverIt() {
        MediaLimits limits = new MediaLimits(Duration.ofSeconds(30));
        assertThat(limits.exceeded(CBR_128, 29.9, 480_000)).isFalse();
        assertThat(limits.exceeded(CBR_128, 31.0, 496_000)).as("cut by -t").isTrue();
        assertThat(limits.exceeded(CBR_128, 12.0, limits.maxOutputBytes(CBR_128))).as("cut by -fs").isTrue();
        assertThat(limits.tooLong(30)).isFalse();
        assertThat(limits.tooLong(30.5)).isTrue();
    }

    @Test
    void durationsInWords() {
        assertThat(new MediaLimits(Duration.ofHours(12)).describe()).isEqualTo("12 h");
        assertThat(new MediaLimits(Duration.ofMinutes(90)).describe()).isEqualTo("90 min");
        assertThat(new MediaLimits(Duration.ofSeconds(45)).describe()).isEqualTo("45 s");
        assertThat(MediaLimits.describe(36_000)).isEqualTo("10.0 h");
        assertThat(MediaLimits.describe(150)).isEqualTo("2.5 min");
        assertThat(MediaLimits.describe(40)).isEqualTo("40 s");
    }
}
