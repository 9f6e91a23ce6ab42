package dev.mp3conv.server.converter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Set<Integer> BITRATES = Set.of(8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
            192, 224, 256, 320);
    private static final Pattern BITRATE = Pattern.compile("(\\d{1,3})k?");

    /**
     * What ffmpeg runs first for a job: the encoding it asks for, or a stream copy when it asks for
     * nothing (if the source is not MP3, {@link #standard()} follows).
     *
     * @param job the job (bitrate or quality asked)
     * @return the plan
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding first(Job job) throws MediaRejectedException {
        if (job.bitrate() != null) {
            return cbr(normalized(job.bitrate()));
        }
        if (job.quality() != null) {
            int quality = job.quality();
            if (quality < 0 || quality > 9) {
                throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS,
                        "VBR quality must be 0 (best) to 9, not " + quality);
            }
            return new Mp3Encoding(encodeArgs("-q:a", String.valueOf(quality)), null, false, true);
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

    private static String normalized(String asked) throws MediaRejectedException {
        Matcher m = BITRATE.matcher(asked.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || !BITRATES.contains(Integer.parseInt(m.group(1)))) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS,
                    "MP3 bitrate must be one of " + new TreeSet<>(BITRATES) + " kbit/s, not " + asked);
        }
        return m.group(1) + "k";
    }
}
