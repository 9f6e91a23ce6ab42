package dev.mp3conv.server.converter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;

/**
 * How one job's audio becomes MP3: the ffmpeg output options, what bitrate to record on the job,
 * and whether ffmpeg must write to a seekable file. VBR output and stream copies go to a file first:
 * the MP3 muxer writes its Xing/LAME header (frame count, hence the duration players show) only by
 * seeking back to the start, which a pipe cannot do. CBR needs no such header, so it streams.
 *
 * <p>The plan needs nothing from the input, so ffmpeg starts at once while the probe runs beside it
 * (see {@link ConversionWorker}): ffmpeg itself brings the audio within what libmp3lame takes (sample
 * rates above 48 kHz down to 48 kHz, more than two channels down to stereo; mono and stereo kept,
 * lower rates kept), and a job that asks for nothing first tries a stream copy, which the MP3 muxer
 * refuses at once unless the source audio is MP3.
 *
 * @param codecArgs       ffmpeg options after the input
 * @param recordedBitrate bitrate to record on the DONE job, null when variable or unknown
 * @param streamCopy      whether the source MP3 audio is copied as is
 * @param toFile          whether ffmpeg writes a temporary file instead of stdout
 */
record Mp3Encoding(List<String> codecArgs, String recordedBitrate, boolean streamCopy, boolean toFile) {
    /** CBR bitrate when the job asks for nothing and the source is not MP3. */
    static final String DEFAULT_BITRATE = "192k";

    private static final List<String> AUDIO_ONLY = List.of("-map", "0:a:0", "-vn", "-sn", "-dn");

    /**
     * What ffmpeg runs first for a job: the encoding it asks for, or a stream copy when it asks for
     * nothing (if the source is not MP3, {@link #standard()} follows).
     *
     * @param job the job (bitrate or quality asked)
     * @return the plan
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding first(Job job) throws MediaRejectedException {
        Mp3Options options = options(job);
        if (options.bitrate() != null) {
            return cbr(options.bitrate());
        }
        if (options.quality() != null) {
            return new Mp3Encoding(encodeArgs("-q:a", options.quality().toString()), null, false, true);
        }
        List<String> args = new ArrayList<>(AUDIO_ONLY);
        args.addAll(List.of("-c:a", "copy"));
        return new Mp3Encoding(List.copyOf(args), null, true, true);
    }

    /**
     * The encoding of a job that asks for nothing when its audio is not MP3.
     *
     * @return CBR at {@value #DEFAULT_BITRATE}
     */
    static Mp3Encoding standard() {
        return cbr(DEFAULT_BITRATE);
    }

    /**
     * The bitrate to record once the probe has described the source.
     *
     * @param audio the probed audio stream
     * @return the bitrate asked, or for a stream copy the source's own when stated
     */
    Optional<String> bitrateFor(MediaInfo.AudioStream audio) {
        if (!streamCopy) {
            return Optional.ofNullable(recordedBitrate);
        }
        return audio.bitRate().isPresent() ? Optional.of(audio.bitRate().getAsLong() / 1000 + "k") : Optional.empty();
    }

    private static Mp3Encoding cbr(String bitrate) {
        return new Mp3Encoding(encodeArgs("-b:a", bitrate), bitrate, false, false);
    }

    private static List<String> encodeArgs(String option, String value) {
        List<String> args = new ArrayList<>(AUDIO_ONLY);
        args.addAll(List.of("-c:a", "libmp3lame", option, value));
        return List.copyOf(args);
    }

    // the gateway checked these already; a job stored by an older gateway or edited in the store
    // is held to the same rule here
    private static Mp3Options options(Job job) throws MediaRejectedException {
        try {
            return new Mp3Options(job.bitrate(), job.quality());
        } catch (IllegalArgumentException e) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS, e.getMessage());
        }
    }
}
