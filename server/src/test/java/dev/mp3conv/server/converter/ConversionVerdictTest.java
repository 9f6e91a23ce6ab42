package dev.mp3conv.server.converter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The converter's verdict over one ffmpeg run, without ffmpeg: every way a run can end.
 */
class ConversionVerdictTest {
    private static final MediaLimits LIMITS = new MediaLimits(Duration.ofMinutes(10));
    private static final Mp3Encoding CBR = Mp3Encoding.standard();
    private static final Mp3Encoding COPY = new Mp3Encoding(List.of("-c:a", "copy"), null, true, true);
    private static final BlobInfo MP3 = new BlobInfo("mp3-1", 64_000, new BlobMetadata("owner", "job", "audio/mpeg",
            "talk.mp3"), Instant.EPOCH);
    private static final MediaInfo.AudioStream AAC = new MediaInfo.AudioStream("aac", 44_100, 2,
            OptionalLong.of(128_000), OptionalDouble.empty());
    private static final ConversionVerdict.AudioDuration NOT_ASKED = () -> {
        throw new AssertionError("the audio stream's duration is asked only for a short MP3");
    };

    @Test
    void aCompleteRunKeepsTheMp3WithTheStatedDuration() throws Exception {
        ConversionVerdict verdict = ConversionVerdict.of(run(Optional.of(MP3), 0, 3.98, 4.0, AAC), false, CBR, LIMITS,
                NOT_ASKED);

        assertThat(verdict).isEqualTo(new ConversionVerdict.Keep(MP3, "192k", 4.0));
    }

    @Test
    void aStreamCopyRecordsTheSourceBitrateAndAnUnstatedDurationIsWhatWasWritten() throws Exception {
        MediaInfo.AudioStream mp3 = new MediaInfo.AudioStream("mp3", 44_100, 2, OptionalLong.of(96_000),
                OptionalDouble.empty());
        Mp3Transcoder.Result result = new Mp3Transcoder.Result(Optional.of(MP3), "ab", 0, 7.5, "",
                new MediaInfo(OptionalDouble.empty(), Optional.of(mp3)), true);

        assertThat(ConversionVerdict.of(result, false, COPY, LIMITS, NOT_ASKED))
                .isEqualTo(new ConversionVerdict.Keep(MP3, "96k", 7.5));
    }

    @Test
    void anInputFfmpegCannotOpenIsRejectedWithItsReasonOrIsTheStoresFault() throws Exception {
        Mp3Transcoder.Result unopened = new Mp3Transcoder.Result(Optional.empty(), null, 1, 0,
                "input: Invalid data found when processing input", new MediaInfo(OptionalDouble.empty(),
                Optional.empty()), false);

        ConversionVerdict rejected = ConversionVerdict.of(unopened, false, CBR, LIMITS, NOT_ASKED);
        ConversionVerdict fault = ConversionVerdict.of(unopened, true, CBR, LIMITS, NOT_ASKED);

        assertThat(rejected).isInstanceOfSatisfying(ConversionVerdict.Reject.class, r -> {
            assertThat(r.error().code()).isEqualTo(MediaRejectedException.INVALID_MEDIA);
            assertThat(r.error().detail()).isEqualTo("input: Invalid data found when processing input");
        });
        assertThat(fault).isEqualTo(new ConversionVerdict.StoreFault("the blob store failed while ffmpeg opened the video"));
    }

    @Test
    void noAudioStreamIsRejected() throws Exception {
        ConversionVerdict verdict = ConversionVerdict.of(run(Optional.of(MP3), 1, 0, 4.0, null), false, CBR, LIMITS,
                NOT_ASKED);

        assertThat(verdict).isInstanceOfSatisfying(ConversionVerdict.Reject.class,
                r -> assertThat(r.error().code()).isEqualTo(MediaRejectedException.NO_AUDIO));
    }

    @Test
    void audioPastTheLimitIsRejectedAsTooLong() throws Exception {
        ConversionVerdict verdict = ConversionVerdict.of(run(Optional.of(MP3), 0, 601.5, 3600.0, AAC), false, CBR,
                LIMITS, NOT_ASKED);

        assertThat(verdict).isInstanceOfSatisfying(ConversionVerdict.Reject.class, r -> {
            assertThat(r.error().code()).isEqualTo(MediaRejectedException.TOO_LONG);
            assertThat(r.error().message()).isEqualTo("the audio goes on past the limit of 10 min");
        });
    }

    @Test
    void aFailedRunIsRejectedUnlessTheStoreFailedUnderIt() throws Exception {
        Mp3Transcoder.Result failed = run(Optional.empty(), 1, 1.0, 4.0, AAC);

        assertThat(ConversionVerdict.of(failed, false, CBR, LIMITS, NOT_ASKED))
                .isInstanceOfSatisfying(ConversionVerdict.Reject.class,
                        r -> assertThat(r.error().code()).isEqualTo(MediaRejectedException.INVALID_MEDIA));
        assertThat(ConversionVerdict.of(failed, true, CBR, LIMITS, NOT_ASKED))
                .isEqualTo(new ConversionVerdict.StoreFault("the blob store failed while ffmpeg read the video"));
        // a zero exit without a stored blob is no better
        assertThat(ConversionVerdict.of(run(Optional.empty(), 0, 4.0, 4.0, AAC), false, CBR, LIMITS, NOT_ASKED))
                .isInstanceOf(ConversionVerdict.Reject.class);
    }

    @Test
    void aShortMp3IsKeptWhenTheAudioStreamItselfEndsThere() throws Exception {
        AtomicInteger asked = new AtomicInteger();

        ConversionVerdict verdict = ConversionVerdict.of(run(Optional.of(MP3), 0, 2.0, 4.0, AAC), false, CBR, LIMITS,
                () -> {
                    asked.incrementAndGet();
                    return OptionalDouble.of(2.0);
                });

        assertThat(verdict).isEqualTo(new ConversionVerdict.Keep(MP3, "192k", 2.0));
        assertThat(asked).hasValue(1);
    }

    @Test
    void aShortMp3OfATruncatedFileIsRejectedOrIsTheStoresFault() throws Exception {
        Mp3Transcoder.Result truncated = run(Optional.of(MP3), 0, 2.0, 4.0, AAC);

        ConversionVerdict rejected = ConversionVerdict.of(truncated, false, CBR, LIMITS, () -> OptionalDouble.of(4.0));
        ConversionVerdict fault = ConversionVerdict.of(truncated, true, CBR, LIMITS, () -> OptionalDouble.of(4.0));

        assertThat(rejected).isInstanceOfSatisfying(ConversionVerdict.Reject.class, r -> {
            assertThat(r.error().code()).isEqualTo(MediaRejectedException.INVALID_MEDIA);
            assertThat(r.error().message()).isEqualTo("the audio ends at 2.0 s of 4.0 s: the file is truncated or corrupt");
        });
        assertThat(fault).isInstanceOf(ConversionVerdict.StoreFault.class);
    }

    @Test
    void withinTheEncodersSlackIsNotShort() throws Exception {
        // 2.01 s copied of a container stating 2.04 s
        ConversionVerdict verdict = ConversionVerdict.of(run(Optional.of(MP3), 0, 2.01, 2.04, AAC), false, CBR, LIMITS,
                NOT_ASKED);

        assertThat(verdict).isInstanceOf(ConversionVerdict.Keep.class);
    }

    @Test
    void aProbeThatRejectsTheInputIsNotSwallowed() {
        assertThatThrownBy(() -> ConversionVerdict.of(run(Optional.of(MP3), 0, 2.0, 4.0, AAC), false, CBR, LIMITS,
                () -> {
                    throw MediaRejectedException.unreadable("input: End of file");
                })).isInstanceOf(MediaRejectedException.class);
    }

    private static Mp3Transcoder.Result run(Optional<BlobInfo> blob, int exitCode, double outSeconds, double stated,
                                            MediaInfo.AudioStream audio) {
        return new Mp3Transcoder.Result(blob, blob.isPresent() ? "ab" : null, exitCode, outSeconds, "ffmpeg's last line",
                new MediaInfo(OptionalDouble.of(stated), Optional.ofNullable(audio)), true);
    }
}
