package dev.mp3conv.server.converter;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Reading {@code ffmpeg -i}'s summary, the probe used with the bundled ffmpeg (which has no ffprobe).
 */
class MediaProbeTest {
    @Test
    void readsDurationAndFirstAudioStream() {
        MediaInfo info = MediaProbe.parseSummary(List.of(
                "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'input':",
                "Duration: 00:10:04.52, start: 0.000000, bitrate: 97 kb/s",
                "Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720, 21 kb/s, 25 fps",
                "Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)",
                "Stream #0:2[0x3](eng): Audio: mp3 (mp4a / 0x6134706D), 22050 Hz, mono, fltp, 64 kb/s"));

        assertThat(info.duration().getAsDouble()).isCloseTo(604.52, within(1e-9));
        MediaInfo.AudioStream audio = info.audio().orElseThrow();
        assertThat(audio.codec()).isEqualTo("aac");
        assertThat(audio.sampleRate()).isEqualTo(44_100);
        assertThat(audio.channels()).isEqualTo(2);
        assertThat(audio.bitRate().getAsLong()).isEqualTo(128_000);
        assertThat(info.expectedAudioSeconds().getAsDouble()).isCloseTo(604.52, within(1e-9));
    }

    @Test
    void readsOpusAndPcmLayouts() {
        MediaInfo opus = MediaProbe.parseSummary(List.of("Duration: N/A, start: 0.000000",
                "Stream #0:1: Audio: opus, 48000 Hz, mono, fltp (default)"));
        MediaInfo pcm = MediaProbe.parseSummary(List.of(
                "Stream #0:1: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 44100 Hz, 2 channels, s16, 1411 kb/s"));

        assertThat(opus.duration()).isEmpty();
        assertThat(opus.audio().orElseThrow().codec()).isEqualTo("opus");
        assertThat(opus.audio().orElseThrow().channels()).isEqualTo(1);
        assertThat(opus.audio().orElseThrow().bitRate()).isEmpty();
        assertThat(pcm.audio().orElseThrow().channels()).isEqualTo(2);
        assertThat(pcm.audio().orElseThrow().bitRate().getAsLong()).isEqualTo(1_411_000);
    }

    @Test
    void noAudioStreamIsEmpty() {
        MediaInfo info = MediaProbe.parseSummary(List.of("Duration: 00:00:04.00, start: 0.000000, bitrate: 21 kb/s",
                "Stream #0:0[0x1](und): Video: h264 (High), yuv444p, 160x120, 10 fps"));

        assertThat(info.audio()).isEmpty();
        assertThat(info.duration().getAsDouble()).isEqualTo(4.0);
    }

    @Test
    void metadataCannotPoseAsTheDurationOrAStream() {
        // ffmpeg's summary as the converter keeps it (indentation intact): tags sit four spaces in
        MediaInfo info = MediaProbe.parseSummary(List.of(
                "Input #0, matroska,webm, from 'input':",
                "  Metadata:",
                "    Duration: 99:00:00.00, start: 0.000000: a tag whose key is long enough to need no padding",
                "    title           : Duration: 98:00:00.00",
                "  Duration: 00:00:04.00, start: 0.000000, bitrate: 97 kb/s",
                "  Stream #0:0: Video: h264 (High), yuv420p, 160x120, 10 fps",
                "    Metadata:",
                "      Stream #0:9: Audio: mp3, 8000 Hz, mono, 8 kb/s : a stream tag",
                "  Stream #0:1: Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s"));

        assertThat(info.duration().getAsDouble()).isEqualTo(4.0);
        assertThat(info.audio().orElseThrow().codec()).isEqualTo("aac");
        assertThat(info.audio().orElseThrow().sampleRate()).isEqualTo(44_100);
    }

    @Test
    void countsChannelsOfSurroundLayouts() {
        assertThat(MediaProbe.channels("5.1(side)")).isEqualTo(6);
        assertThat(MediaProbe.channels("7.1")).isEqualTo(8);
        assertThat(MediaProbe.channels("stereo")).isEqualTo(2);
        assertThat(MediaProbe.channels("3 channels")).isEqualTo(3);
    }
}
