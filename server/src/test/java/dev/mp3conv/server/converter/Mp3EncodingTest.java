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
    void bitrateAskedIsCbrStreamedToStdout() throws Exception {
        Mp3Encoding plan = Mp3Encoding.first(job("128", null));

        assertThat(plan.codecArgs()).containsSequence("-map", "0:a:0").containsSequence("-c:a", "libmp3lame")
                .containsSequence("-b:a", "128k").doesNotContain("-ar", "-ac");
        assertThat(plan.bitrateFor(AAC)).contains("128k");
        assertThat(plan.streamCopy()).isFalse();
        assertThat(plan.xingHeader()).isFalse();
    }

    @Test
    void vbrQualityGoesThroughAFileForItsXingHeader() throws Exception {
        Mp3Encoding plan = Mp3Encoding.first(job(null, 2));

        assertThat(plan.codecArgs()).containsSequence("-q:a", "2").doesNotContain("-b:a");
        assertThat(plan.bitrateFor(AAC)).isEmpty();
        assertThat(plan.xingHeader()).isTrue();
    }

    @Test
    void noOptionsTryAStreamCopyFirstThenCbr192k() throws Exception {
        Mp3Encoding copy = Mp3Encoding.first(job(null, null));
        Mp3Encoding standard = Mp3Encoding.standard();

        assertThat(copy.streamCopy()).isTrue();
        assertThat(copy.xingHeader()).isTrue();
        assertThat(copy.codecArgs()).containsSequence("-map", "0:a:0").containsSequence("-c:a", "copy");
        assertThat(copy.bitrateFor(audio("mp3", 44_100, 2))).as("the source's bitrate").contains("128k");
        assertThat(standard.streamCopy()).isFalse();
        assertThat(standard.codecArgs()).containsSequence("-c:a", "libmp3lame").containsSequence("-b:a", "192k");
        assertThat(standard.bitrateFor(AAC)).contains("192k");
    }

    @Test
    void rejectsWhatMp3CannotBe() {
        assertThatThrownBy(() -> Mp3Encoding.first(job("100k", null))).isInstanceOf(MediaRejectedException.class)
                .hasMessageContaining("invalid-options");
        assertThatThrownBy(() -> Mp3Encoding.first(job(null, 10))).isInstanceOf(MediaRejectedException.class)
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
