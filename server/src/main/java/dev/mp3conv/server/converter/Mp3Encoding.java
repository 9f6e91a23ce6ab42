package dev.mp3conv.server.converter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mp3conv.server.jobs.Job;

/**
 * How one job's audio becomes MP3: the ffmpeg output options, what bitrate to record on the job,
 * and whether ffmpeg must write to a seekable file. VBR output and stream copies go to a file first:
 * the MP3 muxer writes its Xing/LAME header (frame count, hence the duration players show) only by
 * seeking back to the start, which a pipe cannot do. CBR needs no such header, so it streams.
 *
 * @param codecArgs       ffmpeg options after the input
 * @param recordedBitrate bitrate to record on the DONE job, null when variable or unknown
 * @param streamCopy      whether the source MP3 audio is copied as is
 * @param toFile          whether ffmpeg writes a temporary file instead of stdout
 */
record Mp3Encoding(List<String> codecArgs, String recordedBitrate, boolean streamCopy, boolean toFile) {
    /** CBR bitrate when the job asks for nothing and the source is not MP3. */
    static final String DEFAULT_BITRATE = "192k";

    private static final int MAX_SAMPLE_RATE = 48_000;
    private static final Set<Integer> BITRATES = Set.of(8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
            192, 224, 256, 320);
    private static final Pattern BITRATE = Pattern.compile("(\\d{1,3})k?");

    /**
     * Plans the encoding of a job's first audio stream.
     *
     * @param job   the job (bitrate or quality asked)
     * @param audio the probed audio stream
     * @return the plan
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding plan(Job job, MediaInfo.AudioStream audio) throws MediaRejectedException {
        List<String> args = new ArrayList<>(List.of("-map", "0:a:0", "-vn", "-sn", "-dn"));
        if (job.bitrate() == null && job.quality() == null && "mp3".equals(audio.codec())) {
            args.addAll(List.of("-c:a", "copy"));
            String bitrate = audio.bitRate().isPresent() ? (audio.bitRate().getAsLong() / 1000) + "k" : null;
            return new Mp3Encoding(List.copyOf(args), bitrate, true, true);
        }
        args.addAll(List.of("-c:a", "libmp3lame"));
        if (audio.sampleRate() > MAX_SAMPLE_RATE) {
            args.addAll(List.of("-ar", String.valueOf(MAX_SAMPLE_RATE)));
        }
        if (audio.channels() > 2) {
            // MP3 has at most two channels: 5.1 and the like are downmixed, mono and stereo kept
            args.addAll(List.of("-ac", "2"));
        }
        if (job.bitrate() == null && job.quality() != null) {
            int quality = job.quality();
            if (quality < 0 || quality > 9) {
                throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS,
                        "VBR quality must be 0 (best) to 9, not " + quality);
            }
            args.addAll(List.of("-q:a", String.valueOf(quality)));
            return new Mp3Encoding(List.copyOf(args), null, false, true);
        }
        String bitrate = job.bitrate() == null ? DEFAULT_BITRATE : normalized(job.bitrate());
        args.addAll(List.of("-b:a", bitrate));
        return new Mp3Encoding(List.copyOf(args), bitrate, false, false);
    }

    private static String normalized(String asked) throws MediaRejectedException {
        Matcher m = BITRATE.matcher(asked.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches() || !BITRATES.contains(Integer.parseInt(m.group(1)))) {
            throw new MediaRejectedException(MediaRejectedException.INVALID_OPTIONS,
                    "MP3 bitrate must be one of " + new java.util.TreeSet<>(BITRATES) + " kbit/s, not " + asked);
        }
        return m.group(1) + "k";
    }
}
