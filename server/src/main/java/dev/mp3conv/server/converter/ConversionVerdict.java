package dev.mp3conv.server.converter;

import java.io.IOException;
import java.util.Locale;
import java.util.OptionalDouble;

import dev.mp3conv.model.JobError;
import dev.mp3conv.server.storage.BlobInfo;

/**
 * What a finished ffmpeg run of a whole job comes to, judged from the run alone (ffmpeg's summary
 * of the input, its exit, what it wrote) and nothing it does: keep the MP3, reject the input for good,
 * or blame the store (the video could not be read from it, so another attempt may succeed).
 * {@link ConversionWorker} acts on the verdict.
 */
sealed interface ConversionVerdict {
    /** Below this share of the stated duration an MP3 is a truncated or corrupt file's. */
    double MIN_COVERAGE = 0.99;
    /**
     * Encoder delay and padding: a 2 s MP3 copied as is covers 2.01 s of the 2.04 s its container states,
     * and without ffprobe (the bundled build) a 4 s WMV or AVI is judged by a container 0.1 s longer than
     * its audio. A file cut short misses far more than this.
     */
    double COVERAGE_SLACK_SECONDS = 0.25;

    /**
     * The MP3 is good.
     *
     * @param mp3          the stored MP3
     * @param bitrate      the bitrate to record on the job, null when variable or unknown
     * @param audioSeconds how much audio it holds, as the input states it (else as ffmpeg wrote it)
     */
    record Keep(BlobInfo mp3, String bitrate, double audioSeconds) implements ConversionVerdict {
    }

    /**
     * The input cannot become an MP3, whatever is retried.
     *
     * @param error why, for the owner
     */
    record Reject(JobError error) implements ConversionVerdict {
    }

    /**
     * The blob store failed while ffmpeg read the video: not the input's fault.
     *
     * @param message what failed
     */
    record StoreFault(String message) implements ConversionVerdict {
    }

    /** The audio stream's own duration, asked for only when the MP3 falls short of the container's. */
    @FunctionalInterface
    interface AudioDuration {
        /**
         * How long the audio stream says it lasts.
         *
         * @return seconds, when stated
         * @throws MediaRejectedException when the input cannot be read for it
         * @throws IOException            when it cannot be found out
         */
        OptionalDouble seconds() throws MediaRejectedException, IOException;
    }

    /**
     * Judges one run. A rejection while the store failed to serve the video is the store's fault.
     *
     * @param result      what the run produced
     * @param storeFailed whether the blob store failed while ffmpeg read the video
     * @param encoding    the encoding the run used
     * @param limits      the duration and output-size budget
     * @param audio       the audio stream's own duration, for an MP3 shorter than the container
     * @return the verdict
     * @throws MediaRejectedException when finding the audio stream's duration rejects the input
     * @throws IOException            when its duration cannot be found out
     */
    static ConversionVerdict of(Mp3Transcoder.Result result, boolean storeFailed, Mp3Encoding encoding,
                                MediaLimits limits, AudioDuration audio) throws MediaRejectedException, IOException {
        if (!result.opened()) {
            return storeFailed ? new StoreFault("the blob store failed while ffmpeg opened the video")
                    : new Reject(InputAllowList.rejection(result.reason()).error());
        }
        ConversionVerdict verdict = judgeOpened(result, encoding, limits, audio);
        if (verdict instanceof Reject && storeFailed) {
            return new StoreFault("the blob store failed while ffmpeg read the video");
        }
        return verdict;
    }

    private static ConversionVerdict judgeOpened(Mp3Transcoder.Result result, Mp3Encoding encoding, MediaLimits limits,
                                                 AudioDuration audio) throws MediaRejectedException, IOException {
        if (result.media().audio().isEmpty()) {
            return reject(MediaRejectedException.NO_AUDIO, "the file has no audio stream");
        }
        java.util.Optional<String> impossible = encoding.impossibleTrim(result.media().expectedAudioSeconds());
        if (impossible.isPresent()) {
            // knowable only now that ffmpeg said how long the input is (the gateway refused end <= start)
            return reject(MediaRejectedException.INVALID_OPTIONS, impossible.get());
        }
        long written = result.blob().map(BlobInfo::length).orElse(0L);
        if (limits.exceeded(encoding, result.outSeconds(), written)) {
            return reject(MediaRejectedException.TOO_LONG, "the audio goes on past the limit of " + limits.describe());
        }
        if (result.exitCode() != 0 || result.blob().isEmpty()) {
            return new Reject(InputAllowList.rejection(result.reason()).error());
        }
        // a trimmed job's MP3 covers its part of the input
        OptionalDouble expected = encoding.expectedSeconds(result.media().duration());
        if (shortOf(result.outSeconds(), expected)) {
            // the container's duration is its longest stream's: the audio may end before the video.
            // Only now is a probe worth its run: it knows the audio stream's own duration
            expected = encoding.expectedSeconds(audio.seconds());
        }
        if (shortOf(result.outSeconds(), expected)) {
            return reject(MediaRejectedException.INVALID_MEDIA, String.format(Locale.ROOT,
                    "the audio ends at %.1f s of %.1f s: the file is truncated or corrupt",
                    result.outSeconds(), expected.getAsDouble()));
        }
        return new Keep(result.blob().get(), encoding.bitrateFor(result.media().audio().get()).orElse(null),
                expected.orElse(result.outSeconds()));
    }

    /** Whether the MP3 falls short of the duration the input states (a truncated or corrupt file). */
    private static boolean shortOf(double outSeconds, OptionalDouble expected) {
        return expected.isPresent() && outSeconds + COVERAGE_SLACK_SECONDS < MIN_COVERAGE * expected.getAsDouble();
    }

    private static Reject reject(String code, String message) {
        return new Reject(new JobError(code, message, null));
    }
}
