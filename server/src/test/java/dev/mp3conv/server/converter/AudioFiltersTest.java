package dev.mp3conv.server.converter;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The filter chains and encodings of the audio options, and the loudness plan, without ffmpeg (the
 * conversions themselves are probed in {@link AudioOptionsConversionIT}).
 */
class AudioFiltersTest {
    @Test
    void theTrimComesFirstThenChannelsAndRateThenTheGain() {
        Mp3Options options = options("start", "1:30", "end", "45:00", "channels", "mono", "sample_rate", "44100",
                "loudness", "-16");
        assertThat(AudioFilters.shape(options)).containsExactly("atrim=start=90.000:end=2700.000",
                "asetpts=PTS-STARTPTS", "aformat=channel_layouts=mono", "aresample=44100");
        assertThat(AudioFilters.measure(options)).last().isEqualTo("ebur128=peak=true:framelog=verbose");
        assertThat(AudioFilters.encode(options, new LoudnessReport(-24, -10, 8, false, null, null), 48000))
                .endsWith("aresample=44100", "volume=8.00dB");
        assertThat(AudioFilters.shape(options("end", "25"))).containsExactly("atrim=end=25.000", "asetpts=PTS-STARTPTS");
    }

    @Test
    void theGainIsLinearWhenThePeakAllowsItElseLimitedOversampled() {
        LoudnessReport linear = AudioFilters.plan(-16, -24.5, -12.0);
        assertThat(linear.gainDb()).isEqualTo(8.5);
        assertThat(linear.limited()).isFalse();
        LoudnessReport limited = AudioFilters.plan(-16, -24.5, -9.0);
        assertThat(limited.limited()).as("-9 + 8.5 dBTP passes the -2 dBTP ceiling").isTrue();
        assertThat(AudioFilters.encode(options("loudness", "-16"), limited, 44100)).containsExactly("aresample=192000",
                "volume=8.50dB", "alimiter=limit=0.7943:attack=1:release=50:level=0", "aresample=44100");
        LoudnessReport quieter = AudioFilters.plan(-23, -14, -0.5);
        assertThat(quieter.gainDb()).isEqualTo(-9.0);
        assertThat(quieter.limited()).isFalse();
        LoudnessReport silence = AudioFilters.plan(-16, -70, -150);
        assertThat(silence.gainDb()).isZero();
        assertThat(AudioFilters.encode(options("loudness", "-16"), silence, 44100)).isEmpty();
    }

    @Test
    void aLimiterReturnsToTheRateLameWouldHaveEncoded() {
        assertThat(AudioFilters.outputRate(44100)).isEqualTo(44100);
        assertThat(AudioFilters.outputRate(96000)).isEqualTo(48000);
        assertThat(AudioFilters.outputRate(0)).isEqualTo(44100);
        assertThat(AudioFilters.outputRate(37800)).isEqualTo(44100);
        assertThat(AudioFilters.outputRate(11025)).isEqualTo(11025);
    }

    @Test
    void onlyOptionsThatChangeTheAudioLeaveTheStreamCopy() throws Exception {
        Mp3Encoding tagsOnly = Mp3Encoding.first(job(options("cover", "true", "title", "T", "artist", "A"), null));
        assertThat(tagsOnly.streamCopy()).isTrue();
        assertThat(tagsOnly.codecArgs()).containsSequence("-c:a", "copy").doesNotContain("-af");
        Mp3Encoding trimmed = Mp3Encoding.first(job(options("start", "10", "end", "25"), null));
        assertThat(trimmed.streamCopy()).isFalse();
        assertThat(trimmed.codecArgs()).containsSequence("-b:a", "192k")
                .containsSequence("-af", "atrim=start=10.000:end=25.000,asetpts=PTS-STARTPTS");
        assertThat(trimmed.xingHeader()).as("the LAME header's delay and padding make the length exact").isTrue();
        assertThat(trimmed.segmentable()).isFalse();
        assertThat(trimmed.expectedSeconds(OptionalDouble.of(30))).hasValue(15.0);
        assertThat(trimmed.expectedSeconds(OptionalDouble.of(20))).hasValue(10.0);
        assertThat(trimmed.impossibleTrim(OptionalDouble.of(10))).hasValue(
                "start 0:10.000 is past the end of the audio (0:10.000)");
        assertThat(trimmed.impossibleTrim(OptionalDouble.of(10.5))).isEmpty();
        assertThat(Mp3Encoding.first(job(options("sample_rate", "22050"), null)).segmentable()).isFalse();
        assertThat(Mp3Encoding.first(job(options("channels", "mono"), null)).segmentable()).isTrue();
    }

    @Test
    void aSegmentsRangeGoesBeforeTheJobsFilters() throws Exception {
        Mp3Encoding gained = Mp3Encoding.first(job(options("loudness", "-16", "channels", "mono", "quality", "3"),
                new LoudnessReport(-20, -8, -4, false, null, null)));
        assertThat(gained.segmentable()).isTrue();
        Mp3Encoding part = gained.part(List.of(), "atrim=start_sample=0:end_sample=1152", List.of("-write_xing", "1"));
        assertThat(part.codecArgs()).containsSequence("-q:a", "3").containsSequence("-write_xing", "1")
                .containsSequence("-af", "atrim=start_sample=0:end_sample=1152,aformat=channel_layouts=mono,"
                        + "volume=-4.00dB");
        assertThat(part.codecArgs()).filteredOn("-af"::equals).as("one filter chain").hasSize(1);
        Mp3Encoding limited = Mp3Encoding.first(job(options("loudness", "-16"),
                new LoudnessReport(-30, -3, 14, true, null, null)), 48000);
        assertThat(limited.segmentable()).as("a limiter carries state across a splice").isFalse();
    }

    @Test
    void loudnessAskedButNotMeasuredIsAProgrammingErrorAndBadStoredOptionsAreInvalid() {
        assertThatThrownBy(() -> Mp3Encoding.first(job(options("loudness", "-16"), null)))
                .isInstanceOf(IllegalStateException.class);
        Job edited = new Job("0123456789abcdef01234567", "u", "u@example.com", "talk.mp4", "video/mp4", 1, "00", "v",
                dev.mp3conv.model.JobState.QUEUED, 0, null, null, 0, null, null, null, null, null, null, null, null,
                null, null, null, null, Instant.EPOCH, Instant.EPOCH, null, null, null, null, null, null,
                Map.of("title", "bad\u0000"), null);
        assertThatThrownBy(() -> Mp3Encoding.first(edited)).isInstanceOf(MediaRejectedException.class)
                .hasMessageContaining("invalid-options");
    }

    @Test
    void theLoudnessSummaryIsReadFromTheFiltersLastLines() {
        List<String> lines = List.of("Input #0, mov, from 'input':", "title           : I: -5.0 LUFS",
                "Integrated loudness:", "I:         -21.8 LUFS", "Threshold: -31.8 LUFS", "Loudness range:",
                "LRA:         0.0 LU", "True peak:", "Peak:      -17.7 dBFS");
        assertThat(LoudnessMeasurement.parse(lines)).hasValueSatisfying(v -> assertThat(v).containsExactly(-21.8, -17.7));
        assertThat(LoudnessMeasurement.parse(List.of("I: -70.0 LUFS", "Peak: -inf dBFS")))
                .hasValueSatisfying(v -> assertThat(v[1]).isNegative().isInfinite());
        assertThat(LoudnessMeasurement.parse(List.of("Integrated loudness:"))).isEmpty();
    }

    @Test
    void theCoverIsTheAttachedPictureElseTheFirstVideoAtATenth() {
        List<String> art = List.of("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'input':", "  Duration: 00:01:40.00, start: 0",
                "  Stream #0:0[0x1](und): Audio: aac (LC), 44100 Hz, mono, fltp, 69 kb/s (default)",
                "  Stream #0:1[0x0]: Video: mjpeg (Baseline), yuvj444p(pc), 1200x800, 90k tbr, 90k tbn (attached pic)");
        CoverArt.Source fromArt = CoverArt.source(art).orElseThrow();
        assertThat(fromArt.attachedStream()).hasValue(1);
        assertThat(fromArt.videoStream()).isEmpty();
        List<String> video = List.of("  Duration: 00:01:40.00, start: 0",
                "  Stream #0:0: Video: h264 (High), yuv420p, 320x240, 10 fps",
                "    comment         : Stream #0:7: Video: fake (attached pic)",
                "  Stream #0:1: Audio: aac (LC), 44100 Hz, stereo");
        CoverArt.Source frame = CoverArt.source(video).orElseThrow();
        assertThat(frame.attachedStream()).as("metadata lines sit deeper and are not streams").isEmpty();
        assertThat(frame.videoStream()).hasValue(0);
        assertThat(frame.at()).isEqualTo(10.0);
        assertThat(CoverArt.source(List.of("  Stream #0:0: Audio: pcm_s16le, 44100 Hz, mono"))).isEmpty();
    }

    private static Mp3Options options(String... fields) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            map.put(fields[i], fields[i + 1]);
        }
        return Mp3Options.fromFields(map);
    }

    private static Job job(Mp3Options options, LoudnessReport loudness) {
        Job job = Job.queuedWith("0123456789abcdef01234567", "u", "u@example.com", "talk.mp4", "video/mp4", 1, "00",
                "76543210fedcba9876543210", options, null, Instant.EPOCH);
        return loudness == null ? job : job.withLoudness(loudness);
    }
}
