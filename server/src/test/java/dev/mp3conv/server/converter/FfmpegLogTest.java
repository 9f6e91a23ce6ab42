package dev.mp3conv.server.converter;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Reading ffmpeg's stderr without running it: which lines are the input's summary, which explain a
 * failure, the progress, and what the summary says ({@code ffmpeg -i}'s, also the probe used with the
 * bundled ffmpeg, which has no ffprobe).
 */
class FfmpegLogTest {
    private static final String INPUT = "http://127.0.0.1:40123/s3cr3t-token/video";

    @Test
    void keepsTheTaggedSummaryUntilTheOutputStartsAndHidesTheInput() {
        FfmpegLog log = new FfmpegLog(INPUT);
        List<Boolean> ended = new java.util.ArrayList<>();
        for (String line : List.of(
                "[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '" + INPUT + "':",
                "[info]   Metadata:",
                "[info]     title           : Duration: 98:00:00.00",
                "[info]   Duration: 00:00:04.00, start: 0.000000, bitrate: 97 kb/s",
                "[info]   Stream #0:0[0x1](und): Video: h264 (High), yuv420p, 160x120, 10 fps",
                "[info]   Stream #0:1[0x2](und): Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s (default)",
                "[warning] [aac @ 0x55d1c0] a warning that explains nothing",
                "[info] Stream mapping:",
                "[info]   Stream #0:1 -> #0:0 (aac (native) -> mp3 (libmp3lame))",
                "[info] Output #0, mp3, to 'pipe:1':")) {
            ended.add(log.accept(line));
        }

        assertThat(ended).containsExactly(false, false, false, false, false, false, false, true, false, false);
        assertThat(log.summaryEnded()).isTrue();
        assertThat(log.summary()).containsExactly(
                "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'input':",
                "  Metadata:",
                "    title           : Duration: 98:00:00.00",
                "  Duration: 00:00:04.00, start: 0.000000, bitrate: 97 kb/s",
                "  Stream #0:0[0x1](und): Video: h264 (High), yuv420p, 160x120, 10 fps",
                "  Stream #0:1[0x2](und): Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s (default)");
        assertThat(FfmpegLog.opened(log.summary())).isTrue();
        assertThat(FfmpegLog.parseSummary(log.summary()).duration().getAsDouble()).isEqualTo(4.0);
        assertThat(log.diagnostics()).isEmpty();
        assertThat(log.end()).isFalse();
    }

    @Test
    void readsTheContainerAndTheTapsButNotTextThatPosesAsATap() {
        FfmpegLog log = new FfmpegLog(INPUT);
        for (String line : List.of(
                "[info] Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '" + INPUT + "':",
                "[info]   Metadata:",
                // an uploader's tag value printed on its own line: no filter context in front
                "[info]     comment         : [ashowinfo@segnext @ 0x1] n:0 pts:1 pts_time:0",
                "[info] [ashowinfo@segnext @ 0x2] n:0 pts:2 pts_time:0",
                "[info]   Duration: 00:20:00.00, start: 0.000000, bitrate: 97 kb/s",
                "[info]   Stream #0:1[0x2](und): Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s (default)",
                "[info] Output #0, mp3, to 'pipe:1':",
                "[ashowinfo@segstart @ 0x55d1c0a0] [info] n:0 pts:26451072 pts_time:599.798 pos:11521876 fmt:fltp "
                        + "channels:2 chlayout:stereo rate:44100 nb_samples:1 checksum:177404F7",
                "[ashowinfo@segnext @ 0x55d1c0b0] [info] n:0 pts:-1024 pts_time:-0.023 pos:1 fmt:fltp",
                "[ashowinfo@segnext @ 0x55d1c0b0] [info] n:1 pts:99 pts_time:0.002 pos:1 fmt:fltp")) {
            log.accept(line);
        }

        assertThat(FfmpegLog.parseSummary(log.summary()).container()).isEqualTo("mov,mp4,m4a,3gp,3g2,mj2");
        assertThat(log.taps()).containsOnly(java.util.Map.entry("segstart", 26451072L),
                java.util.Map.entry("segnext", -1024L));
        assertThat(log.diagnostics()).isEmpty();
        assertThat(FfmpegLog.parseSummary(List.of("Input #0, matroska,webm, from 'input':")).container())
                .isEqualTo("matroska,webm");
    }

    @Test
    void errorsExplainAFailureWithTheLineThatNamesTheCause() {
        FfmpegLog log = new FfmpegLog(INPUT);
        log.accept("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5581d2a0c0] [error] moov atom not found");
        log.accept("[warning] Guessed Channel Layout: mono");
        log.accept("[error] " + INPUT + ": Invalid data found when processing input");

        assertThat(log.diagnostics()).containsExactly("[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found",
                "input: Invalid data found when processing input");
        assertThat(log.reason("1")).isEqualTo(
                "[mov,mp4,m4a,3gp,3g2,mj2] moov atom not found (input: Invalid data found when processing input)");
        assertThat(log.summary()).isEmpty();
        assertThat(FfmpegLog.opened(log.summary())).isFalse();
    }

    @Test
    void progressSetsTheOutputTimeAndEndsTheSummary() {
        FfmpegLog log = new FfmpegLog("file:/srv/data/videos/abc");
        log.accept("[info] Input #0, matroska,webm, from '/srv/data/videos/abc':");
        assertThat(log.accept("out_time_us=N/A")).isTrue();
        assertThat(log.outTimeSeconds()).isZero();
        log.accept("bitrate=128.0kbits/s");
        log.accept("progress=continue");
        assertThat(log.accept("out_time_us=2500000")).isFalse();
        log.accept("[info] late chatter is not the summary");

        assertThat(log.outTimeSeconds()).isEqualTo(2.5);
        assertThat(log.summary()).containsExactly("Input #0, matroska,webm, from 'input':");
        assertThat(log.diagnostics()).isEmpty();
    }

    @Test
    void untaggedLinesAreDiagnosticsAndKnownNoiseIsDropped() {
        FfmpegLog log = new FfmpegLog("file:/srv/data/videos/abc");
        assertThat(log.reason("1")).isEqualTo("ffmpeg exited with code 1 without a message");
        log.accept("   /srv/data/videos/abc: End of file   ");
        log.accept("At least one output file must be specified");
        log.accept("");

        assertThat(log.diagnostics()).containsExactly("input: End of file");
        assertThat(log.reason("1")).isEqualTo("input: End of file");
    }

    @Test
    void keepsOnlyTheLastDiagnosticLines() {
        FfmpegLog log = new FfmpegLog(INPUT);
        for (int i = 0; i < 1000; i++) {
            log.accept("[error] line " + i);
        }

        assertThat(log.diagnostics()).hasSize(200).startsWith("line 800").endsWith("line 999");
    }

    @Test
    void readsDurationAndFirstAudioStream() {
        MediaInfo info = FfmpegLog.parseSummary(List.of(
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
        MediaInfo opus = FfmpegLog.parseSummary(List.of("Duration: N/A, start: 0.000000",
                "Stream #0:1: Audio: opus, 48000 Hz, mono, fltp (default)"));
        MediaInfo pcm = FfmpegLog.parseSummary(List.of(
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
        MediaInfo info = FfmpegLog.parseSummary(List.of("Duration: 00:00:04.00, start: 0.000000, bitrate: 21 kb/s",
                "Stream #0:0[0x1](und): Video: h264 (High), yuv444p, 160x120, 10 fps"));

        assertThat(info.audio()).isEmpty();
        assertThat(info.duration().getAsDouble()).isEqualTo(4.0);
    }

    @Test
    void metadataCannotPoseAsTheDurationOrAStream() {
        // ffmpeg's summary as the converter keeps it (indentation intact): tags sit four spaces in
        MediaInfo info = FfmpegLog.parseSummary(List.of(
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
        assertThat(FfmpegLog.channels("5.1(side)")).isEqualTo(6);
        assertThat(FfmpegLog.channels("7.1")).isEqualTo(8);
        assertThat(FfmpegLog.channels("stereo")).isEqualTo(2);
        assertThat(FfmpegLog.channels("3 channels")).isEqualTo(3);
    }
}
