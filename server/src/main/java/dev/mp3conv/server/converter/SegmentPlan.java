package dev.mp3conv.server.converter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a long input is cut into segments that encode separately and stitch gaplessly
 * ({@link Mp3Stitcher}): cuts on the common 1152-sample MP3 frame grid, each segment encoded from
 * {@value #PRE_ROLL} frames before its first kept frame to {@value #TAIL} frames after its last,
 * so that frame {@code m} of an encode that starts at input sample {@code S} (a multiple of 1152)
 * decodes the same input samples ({@code S + 1152·m − 1105}: LAME's delay 576 plus the decoder's
 * 529) as frame {@code S/1152 + m} of a single-pass encode.
 *
 * @param sampleRate output sample rate (the input's: only MPEG-1 rates are planned)
 * @param parts      the segments, in order
 */
record SegmentPlan(int sampleRate, List<Part> parts) {
    /** Frames encoded before a segment's first kept frame (the splice may move 2 of them). */
    static final int PRE_ROLL = 8;
    /** Frames encoded after a segment's last kept frame. */
    static final int TAIL = 8;
    /**
     * What a second of input that a segment decodes and drops before its part costs, next to a second it encodes.
     * A segment that counts its samples from the decoder's first one (exact in every container) decodes everything
     * before its part: measured on a 20-minute MP4 (AAC) in two segments, the second ran 0.1–0.74 s (median 0.45 s)
     * of ~9 s longer than the first. Later segments get that much less to encode, so that all end together; a plan
     * whose later segments seek ({@link #seeks}) cuts evenly.
     */
    static final double SKIP_COST = 0.06;
    /**
     * Seconds a seeking segment's seek lands before its first sample: the decoder's state (AAC's overlap, an MP3
     * source's bit reservoir) has settled long before (measured: the 20-minute AAC MP4's second half decodes to
     * the same PCM, and encodes to the same MP3 bytes, as counting from the start).
     */
    static final double SEEK_LEAD = 5.0;
    /**
     * The demuxers (ffmpeg's first name for each) whose timestamps name every sample: an MP4/MOV track's sample
     * table, FLAC's frame headers, WAV's byte offsets, in the sample rate's time base. Matroska/WebM (ms), MPEG-TS
     * (90 kHz), AVI, FLV, ASF and MP3 (estimated after a seek) never do.
     */
    static final Set<String> SAMPLE_TIMESTAMPS = Set.of("mov", "flac", "wav");
    /** MPEG-1 layer III rates: 1152-sample frames, which the stitcher handles. */
    static final Set<Integer> RATES = Set.of(32000, 44100, 48000);

    private static final int FRAME = Mp3Frame.MPEG1_SAMPLES;

    /**
     * One segment.
     *
     * @param index       0-based
     * @param startSample first input sample the segment's encode reads (a multiple of 1152)
     * @param endSample   input sample where its encode stops (exclusive); -1 for the last, which
     *                    reads to the end of the input
     * @param keepFrom    first frame of the encode that goes into the stitched file
     * @param keepBefore  first frame of the encode that does not (the tail); -1 for the last
     * @param seeks       whether the encode seeks to its start by timestamp instead of counting the decoder's
     *                    samples from the first (verified by the segment before it, else counted after all)
     */
    record Part(int index, long startSample, long endSample, int keepFrom, int keepBefore, boolean seeks) {
        boolean last() {
            return endSample < 0;
        }
    }

    /**
     * Whether the segments of an input in this container may seek to their start: its timestamps name every
     * sample ({@link #SAMPLE_TIMESTAMPS}).
     *
     * @param container the demuxer's names as ffmpeg prints them ({@code mov,mp4,m4a,3gp,3g2,mj2}), may be empty
     * @return true when later segments seek
     */
    static boolean seeks(String container) {
        return SAMPLE_TIMESTAMPS.contains(container.split(",", 2)[0]);
    }

    /**
     * The plan for an input, if it is to be segmented: longer than {@code threshold}, at an MPEG-1
     * rate, and at least two segments of about half the threshold each at least (the later ones a little
     * shorter, {@link #SKIP_COST}, unless they seek).
     *
     * @param seconds    expected audio duration
     * @param sampleRate the audio's sample rate (0 when unknown)
     * @param threshold  inputs this long or shorter keep the single run; zero turns segments off
     * @param maxParts   at most this many segments (the conversion slots that can take part)
     * @param seeking    whether the segments after the first seek to their start ({@link #seeks(String)}): even
     *                   cuts, else {@link #SKIP_COST} shortens the later ones
     * @return the plan, empty for the single-run path
     */
    static Optional<SegmentPlan> of(double seconds, int sampleRate, Duration threshold, int maxParts, boolean seeking) {
        if (threshold.isZero() || seconds * 1000 <= threshold.toMillis() || !RATES.contains(sampleRate)) {
            return Optional.empty();
        }
        double shortest = threshold.toMillis() / 2000.0;
        int parts = (int) Math.min(maxParts, Math.floor(seconds / shortest));
        if (parts < 2) {
            return Optional.empty();
        }
        long frames = (long) Math.floor(seconds * sampleRate / FRAME);
        List<Part> list = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            long first = boundary(i, parts, frames, seeking);
            long next = boundary(i + 1, parts, frames, seeking);
            long start = Math.max(0, first - PRE_ROLL);
            boolean last = i == parts - 1;
            list.add(new Part(i, start * FRAME, last ? -1 : (next + TAIL) * FRAME, (int) (first - start),
                    last ? -1 : (int) (next - start), seeking && i > 0));
        }
        return Optional.of(new SegmentPlan(sampleRate, List.copyOf(list)));
    }

    /**
     * The first kept frame of segment {@code i} (of {@code parts}; {@code i = parts} gives the end): even cuts when
     * the later segments seek, else {@link #boundary(int, int, long)}.
     */
    static long boundary(int i, int parts, long frames, boolean seeking) {
        return seeking ? Math.round((double) frames * i / parts) : boundary(i, parts, frames);
    }

    /**
     * The first kept frame of segment {@code i} when the later segments count from the decoder's first sample:
     * the cuts that give every segment the same work, its frames plus {@link #SKIP_COST} of the frames before it.
     * With {@code q = 1 − SKIP_COST}, segment {@code i} starts at {@code frames · (1 − q^i) / (1 − q^parts)}.
     */
    static long boundary(int i, int parts, long frames) {
        double q = 1 - SKIP_COST;
        return Math.round(frames * (1 - Math.pow(q, i)) / (1 - Math.pow(q, parts)));
    }

    /**
     * Seconds of input a segment is responsible for (its kept frames), for progress.
     *
     * @param part a part of this plan
     * @param totalSeconds the input's expected duration
     * @return seconds
     */
    double keptSeconds(Part part, double totalSeconds) {
        double from = (double) (part.startSample() + (long) part.keepFrom() * FRAME) / sampleRate;
        double to = part.last() ? totalSeconds : (double) (part.startSample() + (long) part.keepBefore() * FRAME) / sampleRate;
        return Math.max(0, to - from);
    }
}
