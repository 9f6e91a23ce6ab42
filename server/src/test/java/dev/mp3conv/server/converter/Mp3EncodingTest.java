package dev.mp3conv.server.converter;

import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ffmpeg output options chosen for a job.
 */
class Mp3EncodingTest {
    private static final MediaInfo.AudioStream AAC = audio("aac", 44_100, 2);

    @Test
    void defaultsToCbr192kStreamedToStdout() throws Exception {
        Mp3Encoding plan = Mp3Encoding.plan(job(null, null), AAC);

        assertThat(plan.codecArgs()).containsSequence("-c:a", "libmp3lame").containsSequence("-b:a", "192k")
                .doesNotContain("-ar", "-ac");
        assertThat(plan.recordedBitrate()).isEqualTo("192k");
        assertThat(plan.toFile()).isFalse();
    }

    @Test
    void vbrQualityGoesThroughAFileForItsXingHeader() throws Exception {
        Mp3Encoding plan = Mp3Encoding.plan(job(null, 2), AAC);

        assertThat(plan.codecArgs()).containsSequence("-q:a", "2").doesNotContain("-b:a");
        assertThat(plan.recordedBitrate()).isNull();
        assertThat(plan.toFile()).isTrue();
    }

    @Test
    void mp3SourceWithoutOptionsIsCopied() throws Exception {
        Mp3Encoding copy = Mp3Encoding.plan(job(null, null), audio("mp3", 44_100, 2));
        Mp3Encoding reencode = Mp3Encoding.plan(job("128k", null), audio("mp3", 44_100, 2));

        assertThat(copy.streamCopy()).isTrue();
        assertThat(copy.codecArgs()).containsSequence("-c:a", "copy");
        assertThat(copy.recordedBitrate()).isEqualTo("128k");
        assertThat(reencode.streamCopy()).isFalse();
        assertThat(reencode.codecArgs()).containsSequence("-b:a", "128k");
    }

    @Test
    void highSampleRatesAndSurroundAreBroughtWithinMp3() throws Exception {
        Mp3Encoding plan = Mp3Encoding.plan(job(null, null), audio("pcm_s24le", 96_000, 6));

        assertThat(plan.codecArgs()).containsSequence("-ar", "48000").containsSequence("-ac", "2");
    }

    @Test
    void rejectsWhatMp3CannotBe() {
        assertThatThrownBy(() -> Mp3Encoding.plan(job("100k", null), AAC)).isInstanceOf(MediaRejectedException.class)
                .hasMessageContaining("invalid-options");
        assertThatThrownBy(() -> Mp3Encoding.plan(job(null, 10), AAC)).isInstanceOf(MediaRejectedException.class)
                .hasMessageContaining("0 (best) to 9");
    }

    private static MediaInfo.AudioStream audio(String codec, int rate, int channels) {
        return new MediaInfo.AudioStream(codec, rate, channels, OptionalLong.of(128_000), OptionalDouble.empty());
    }

    private static Job job(String bitrate, Integer quality) {
        return Job.queued("0123456789abcdef01234567", "u", "u@example.com", "talk.mp4", "video/mp4", 1, "00",
                "76543210fedcba9876543210", bitrate, quality, Instant.EPOCH);
    }
}
