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
     * A segment counts its samples from the decoder's first one (exact in every container, where a seek by time is
     * not: an MP4 whose timestamps disagree with its samples by 3 shifted a splice), so a later segment decodes
     * everything before its part: measured on a 20-minute MP4 (AAC) in two segments, the second ran 0.1–0.74 s
     * (median 0.45 s) of ~9 s longer than the first. Later segments get that much less to encode, so that all end
     * together.
     */
    static final double SKIP_COST = 0.06;
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
     */
    record Part(int index, long startSample, long endSample, int keepFrom, int keepBefore) {
        boolean last() {
            return endSample < 0;
        }
    }

    /**
     * The plan for an input, if it is to be segmented: longer than {@code threshold}, at an MPEG-1
     * rate, and at least two segments of about half the threshold each at least (the later ones a little
     * shorter, {@link #SKIP_COST}).
     *
     * @param seconds    expected audio duration
     * @param sampleRate the audio's sample rate (0 when unknown)
     * @param threshold  inputs this long or shorter keep the single run; zero turns segments off
     * @param maxParts   at most this many segments (the conversion slots that can take part)
     * @return the plan, empty for the single-run path
     */
    static Optional<SegmentPlan> of(double seconds, int sampleRate, Duration threshold, int maxParts) {
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
            long first = boundary(i, parts, frames);
            long next = boundary(i + 1, parts, frames);
            long start = Math.max(0, first - PRE_ROLL);
            boolean last = i == parts - 1;
            list.add(new Part(i, start * FRAME, last ? -1 : (next + TAIL) * FRAME, (int) (first - start),
                    last ? -1 : (int) (next - start)));
        }
        return Optional.of(new SegmentPlan(sampleRate, List.copyOf(list)));
    }

    /**
     * The first kept frame of segment {@code i} (of {@code parts}; {@code i = parts} gives the end): the cuts
     * that give every segment the same work, its frames plus {@link #SKIP_COST} of the frames before it. With
     * {@code q = 1 − SKIP_COST}, segment {@code i} starts at {@code frames · (1 − q^i) / (1 − q^parts)}.
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
