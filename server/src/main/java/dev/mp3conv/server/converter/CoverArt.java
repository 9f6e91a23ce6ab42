package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The picture a job's MP3 carries when it asks for {@code cover}: the source's own attached picture
 * (an MP3's APIC, an M4A's {@code covr}, a Matroska cover) if it has one, else a frame of its video at 10% of
 * its duration; a JPEG at most {@value #MAX_SIDE} px on its long side (re-encoded either way, so whatever the
 * uploader embedded, the MP3 gets a small, plain JPEG made by ffmpeg). An audio-only source without a
 * picture gets none.
 *
 * <p>Two short ffmpeg runs, with the conversion's allow-lists and kill switch: one reads the container's
 * summary (streams, duration), one decodes one picture. A source whose picture cannot be decoded gets none:
 * the cover is an extra, never the reason a conversion fails.
 */
final class CoverArt {
    private static final System.Logger LOG = System.getLogger(CoverArt.class.getName());
    /** Longest side of the picture, px. */
    static final int MAX_SIDE = 600;
    /** Most bytes of JPEG read (a 600 px JPEG at quality 3 is well under 200 KB). */
    static final int MAX_BYTES = 1024 * 1024;
    private static final double FRAME_AT = 0.10;
    // stream lines of the summary sit at most four spaces in; metadata (the uploader's text) further
    private static final Pattern VIDEO = Pattern.compile("^ {0,4}Stream #0:(\\d{1,3})\\S*: Video: .*$");
    private static final String ATTACHED = "(attached pic)";

    private final Ffmpeg ffmpeg;

    CoverArt(Ffmpeg ffmpeg) {
        this.ffmpeg = ffmpeg;
    }

    /**
     * Finds and encodes the cover.
     *
     * @param input   the input address
     * @param timeout how long each run may take
     * @param started told of each process (so that a stop kills it)
     * @return the JPEG, empty when the source has no picture or it cannot be decoded
     * @throws IOException when ffmpeg cannot start
     */
    Optional<byte[]> grab(String input, Duration timeout, Consumer<FfmpegProcess> started) throws IOException {
        List<String> probe = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin",
                "-loglevel", "level+info"));
        probe.addAll(InputAllowList.options(input));
        probe.addAll(List.of("-i", input));
        List<String> summary = FfmpegProcess.run(probe, input, timeout, started).summary();
        Optional<Source> source = source(summary);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> jpeg = Optional.empty();
        if (source.get().attachedStream().isPresent()) {
            jpeg = encode(input, source.get().attachedStream().getAsInt(), 0, timeout, started);
        }
        if (jpeg.isEmpty() && source.get().videoStream().isPresent()) {
            jpeg = encode(input, source.get().videoStream().getAsInt(), source.get().at(), timeout, started);
        }
        return jpeg;
    }

    /**
     * Where the picture may come from.
     *
     * @param attachedStream the source's first attached picture
     * @param videoStream    its first video stream that is not a picture
     * @param at             where the frame is taken from the video, seconds
     */
    record Source(OptionalInt attachedStream, OptionalInt videoStream, double at) {
    }

    /**
     * Picks the picture from ffmpeg's summary of the input: the first attached picture, else the first video
     * stream at 10% of the duration.
     *
     * @param summary the summary lines
     * @return where, empty when there is no picture
     */
    static Optional<Source> source(List<String> summary) {
        OptionalInt attached = OptionalInt.empty();
        OptionalInt video = OptionalInt.empty();
        for (String line : summary) {
            Matcher m = VIDEO.matcher(line);
            if (m.matches()) {
                int index = Integer.parseInt(m.group(1));
                if (line.endsWith(ATTACHED)) {
                    attached = attached.isPresent() ? attached : OptionalInt.of(index);
                } else {
                    video = video.isPresent() ? video : OptionalInt.of(index);
                }
            }
        }
        OptionalDouble duration = FfmpegLog.parseSummary(summary).duration();
        double at = duration.isPresent() ? duration.getAsDouble() * FRAME_AT : 0;
        return attached.isPresent() || video.isPresent() ? Optional.of(new Source(attached, video, at))
                : Optional.empty();
    }

    private Optional<byte[]> encode(String input, int stream, double at, Duration timeout,
                                    Consumer<FfmpegProcess> started) throws IOException {
        List<String> command = new ArrayList<>(List.of(ffmpeg.executable().toString(), "-hide_banner", "-nostdin",
                "-loglevel", "error"));
        if (at > 0) {
            command.addAll(List.of("-ss", String.format(Locale.ROOT, "%.3f", at)));
        }
        command.addAll(InputAllowList.options(input));
        command.addAll(List.of("-i", input, "-map", "0:" + stream, "-frames:v", "1",
                "-vf", "scale='min(" + MAX_SIDE + ",iw)':'min(" + MAX_SIDE + ",ih)':force_original_aspect_ratio=decrease",
                "-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", "-f", "mjpeg", "pipe:1"));
        try (FfmpegProcess process = FfmpegProcess.start(command, input)) {
            started.accept(process);
            byte[] jpeg = process.readStdout(MAX_BYTES + 1, timeout);
            int exit = process.waitFor();
            if (exit != 0 || jpeg.length < 4 || jpeg.length > MAX_BYTES || (jpeg[0] & 0xff) != 0xff
                    || (jpeg[1] & 0xff) != 0xd8) {
                LOG.log(System.Logger.Level.DEBUG, "no cover from stream {0}: {1}", stream, process.reason());
                return Optional.empty();
            }
            return Optional.of(jpeg);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the cover was read", e);
        }
    }
}
