package dev.mp3conv.server.converter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Joins MP3 segments that were encoded separately on one 1152-sample frame grid into one gapless
 * MP3, as if one encoder had made it (docs/architecture.md, "Segments"; the method was measured in
 * FINDINGS.md). Each segment was encoded from a few frames before its first kept frame (pre-roll)
 * to a few frames after its last (tail), so that its frames line up sample for sample with a
 * single-pass encode; the stitcher keeps each segment's frames between its splices and hands the
 * bit reservoir over at each splice: the later segment's first kept frame takes its main data from
 * {@code main_data_begin} bytes before its header, which lie in that segment's dropped pre-roll, so
 * those bytes are copied into the earlier segment's last kept frames, into the space that belonged
 * to the earlier segment's first dropped frame. When that space is too small at the planned frame,
 * the splice moves by up to {@value #MAX_SHIFT} frames within the overlap.
 *
 * <p>Only frame headers and the first 9 bits of side information are parsed. The output starts with
 * one Xing/Info + LAME frame for the whole file (the first segment's rewritten: frame count, bytes,
 * seek table, the first segment's delay and the last segment's padding), so decoders trim to the
 * exact length. Memory stays at a few dozen frames whatever the length.
 */
final class Mp3Stitcher {
    /** How far a splice may move from its planned frame (the encodes overlap by more). */
    static final int MAX_SHIFT = 2;
    /** Shifts tried, nearest first. */
    private static final int[] SHIFTS = {0, 1, -1, 2, -2};
    /**
     * Frames held back before a splice: their main data slots take the handed-over bytes (at most
     * 511), which needs at most 9 frames of the smallest MPEG-1 frame (32 kbit/s at 48 kHz).
     */
    private static final int HOLD = 12;

    private Mp3Stitcher() {
    }

    /**
     * One segment's MP3 and which of its frames to keep.
     *
     * @param mp3        the segment as ffmpeg wrote it: a Xing/Info + LAME frame, then the frames
     * @param keepFrom   first frame to keep (frame 0 = the first after the tag), its pre-roll before it
     * @param keepBefore first frame not to keep (the tail starts there); -1 for the last segment,
     *                   which is kept to its end
     */
    record Part(InputStream mp3, int keepFrom, int keepBefore) {
    }

    /**
     * What was written.
     *
     * @param frames      audio frames (the tag frame not counted)
     * @param bytes       file length (a prefix included)
     * @param samples     samples a decoder plays after trimming delay and padding
     * @param sampleRate  sample rate
     * @param shifts      per splice, how many frames it moved from the planned one
     * @param overflows   splices where the handed-over bytes did not fit at any shift (the later
     *                    segment's first frame then decodes with part of its data missing)
     */
    record Result(long frames, long bytes, long samples, int sampleRate, List<Integer> shifts, int overflows) {
    }

    /**
     * Stitches the parts into {@code out} (written from its current position 0; the tag is written
     * last, at the start).
     *
     * @param parts segments in order, at least one
     * @param out   an empty, seekable destination
     * @return what was written
     * @throws IOException when a part is not an MP3 as expected or the output fails
     */
    static Result stitch(List<Part> parts, SeekableByteChannel out) throws IOException {
        return stitch(parts, out, new byte[0]);
    }

    /**
     * Stitches the parts into {@code out} after {@code prefix} (an ID3v2 tag), so that the file needs
     * no second copy to get its tag.
     *
     * @param parts  segments in order, at least one
     * @param out    an empty, seekable destination
     * @param prefix bytes to write before the MP3 (the Info frame follows them)
     * @return what was written ({@code bytes} counts the prefix)
     * @throws IOException when a part is not an MP3 as expected or the output fails
     */
    static Result stitch(List<Part> parts, SeekableByteChannel out, byte[] prefix) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no parts");
        }
        Writer writer = null;
        Segment previous = null;
        List<Integer> shifts = new ArrayList<>();
        int overflows = 0;
        int padding = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            boolean last = i == parts.size() - 1;
            if (!last && part.keepBefore() - part.keepFrom() <= HOLD + 2 * MAX_SHIFT) {
                throw new IllegalArgumentException("segment " + i + " keeps too few frames");
            }
            Segment segment = new Segment(part, i);
            if (writer == null) {
                writer = new Writer(out, segment.tag, prefix);
            } else if (segment.tag.delay() != writer.template.delay()) {
                throw new IOException("segment " + i + " has encoder delay " + segment.tag.delay() + ", segment 0 "
                        + writer.template.delay() + ": their frames do not line up");
            }
            if (previous == null) {
                segment.skipTo(part.keepFrom());
            } else {
                Splice splice = splice(previous, segment);
                shifts.add(splice.shift);
                overflows += splice.overflow ? 1 : 0;
                previous.emitBefore(previous.part.keepBefore() + splice.shift, writer);
                segment.skipTo(part.keepFrom() + splice.shift);
            }
            if (last) {
                segment.emitAll(writer);
                padding = segment.tag.padding();
            } else {
                // everything up to the hold window before the earliest possible splice goes out now
                segment.emitBefore(part.keepBefore() - MAX_SHIFT - HOLD, writer);
                segment.readThrough(part.keepBefore() + MAX_SHIFT);
            }
            previous = segment;
        }
        return writer.finish(padding, shifts, overflows);
    }

    private record Splice(int shift, boolean overflow) {
    }

    /**
     * Chooses the splice between the earlier segment {@code a} (frames up to its keepBefore + MAX_SHIFT
     * read and held) and the later {@code b} (nothing of its frames read yet), and copies the bytes
     * {@code b}'s first kept frame needs into {@code a}'s held frames.
     */
    private static Splice splice(Segment a, Segment b) throws IOException {
        b.readThrough(b.part.keepFrom() + MAX_SHIFT);
        int bestShift = 0;
        int bestSlack = Integer.MIN_VALUE;
        for (int shift : SHIFTS) {
            int firstDropped = a.part.keepBefore() + shift;
            int firstKept = b.part.keepFrom() + shift;
            if (firstKept < 1 || a.frame(firstDropped) == null || b.frame(firstKept) == null) {
                continue;
            }
            if (!a.frame(firstDropped).compatible(b.frame(firstKept))) {
                throw new IOException("segment " + b.index + " has another sample rate or channel count");
            }
            int slack = a.frame(firstDropped).mainDataBegin() - b.frame(firstKept).mainDataBegin();
            if (slack >= 0) {
                bestShift = shift;
                bestSlack = slack;
                break;
            }
            if (slack > bestSlack) {
                bestShift = shift;
                bestSlack = slack;
            }
        }
        if (bestSlack == Integer.MIN_VALUE) {
            throw new IOException("segments " + a.index + " and " + b.index + " do not overlap by enough frames");
        }
        int firstDropped = a.part.keepBefore() + bestShift;
        int firstKept = b.part.keepFrom() + bestShift;
        int free = a.frame(firstDropped).mainDataBegin();
        int needed = b.frame(firstKept).mainDataBegin();
        byte[] handed = b.mainDataBefore(firstKept, needed);
        // when it does not fit (not seen in the measurements), the frame gets the nearest bytes it
        // needs and its oldest ones are the earlier segment's: that one frame decodes wrongly
        int fits = Math.min(free, needed);
        a.writeMainDataBefore(firstDropped, Arrays.copyOfRange(handed, needed - fits, needed));
        return new Splice(bestShift, fits < needed);
    }

    /** One part being read: frames held in memory from {@code heldFrom} on. */
    private static final class Segment {
        private final Part part;
        private final int index;
        private final Mp3Frame.Reader reader;
        private final Mp3InfoTag tag;
        private final Deque<Mp3Frame> held = new ArrayDeque<>();
        private final List<Mp3Frame> view = new ArrayList<>();
        private int heldFrom;
        private int nextIndex;
        private boolean ended;

        Segment(Part part, int index) throws IOException {
            this.part = part;
            this.index = index;
            this.reader = new Mp3Frame.Reader(part.mp3());
            Mp3Frame first = reader.next().orElseThrow(() -> new IOException("segment " + index + " is empty"));
            this.tag = Mp3InfoTag.of(first);
            if (!first.mpeg1()) {
                throw new IOException("segment " + index + " is not MPEG-1 audio (32, 44.1 or 48 kHz)");
            }
        }

        /** Reads frames until frame {@code index} is held (or the stream ends). */
        void readThrough(int frameIndex) throws IOException {
            while (!ended && nextIndex <= frameIndex) {
                var frame = reader.next();
                if (frame.isEmpty()) {
                    ended = true;
                    return;
                }
                held.addLast(frame.get());
                nextIndex++;
            }
        }

        Mp3Frame frame(int frameIndex) {
            if (frameIndex < heldFrom || frameIndex >= nextIndex) {
                return null;
            }
            if (view.size() != held.size()) {
                view.clear();
                view.addAll(held);
            }
            return view.get(frameIndex - heldFrom);
        }

        /** Drops the frames before {@code frameIndex}. */
        void skipTo(int frameIndex) throws IOException {
            readThrough(frameIndex - 1);
            while (heldFrom < frameIndex && !held.isEmpty()) {
                held.removeFirst();
                heldFrom++;
                view.clear();
            }
            if (heldFrom < frameIndex) {
                throw new IOException("segment " + index + " ends before its frame " + frameIndex);
            }
        }

        /** Writes the frames before {@code frameIndex} (reading them as needed). */
        void emitBefore(int frameIndex, Writer writer) throws IOException {
            while (heldFrom < frameIndex) {
                if (held.isEmpty()) {
                    readThrough(heldFrom);
                    if (held.isEmpty()) {
                        throw new IOException("segment " + index + " ends before its frame " + frameIndex);
                    }
                }
                writer.write(held.removeFirst());
                heldFrom++;
                view.clear();
            }
        }

        void emitAll(Writer writer) throws IOException {
            while (true) {
                while (!held.isEmpty()) {
                    writer.write(held.removeFirst());
                    heldFrom++;
                }
                view.clear();
                readThrough(nextIndex);
                if (held.isEmpty()) {
                    return;
                }
            }
        }

        /** The last {@code count} main data bytes before frame {@code frameIndex}'s header. */
        byte[] mainDataBefore(int frameIndex, int count) throws IOException {
            byte[] out = new byte[count];
            int remaining = count;
            for (int i = frameIndex - 1; i >= heldFrom && remaining > 0; i--) {
                Mp3Frame frame = frame(i);
                int slot = frame.length() - frame.mainDataOffset();
                int take = Math.min(slot, remaining);
                System.arraycopy(frame.bytes(), frame.length() - take, out, remaining - take, take);
                remaining -= take;
            }
            if (remaining > 0) {
                throw new IOException("segment " + index + ": frame " + frameIndex + " refers to main data before the"
                        + " segment's start");
            }
            return out;
        }

        /** Writes {@code data} into the main data slots just before frame {@code frameIndex}'s header. */
        void writeMainDataBefore(int frameIndex, byte[] data) throws IOException {
            int remaining = data.length;
            for (int i = frameIndex - 1; i >= heldFrom && remaining > 0; i--) {
                Mp3Frame frame = frame(i);
                int slot = frame.length() - frame.mainDataOffset();
                int put = Math.min(slot, remaining);
                System.arraycopy(data, remaining - put, frame.bytes(), frame.length() - put, put);
                remaining -= put;
            }
            if (remaining > 0) {
                throw new IOException("segment " + index + ": not enough frames held before frame " + frameIndex);
            }
        }
    }

    /** The output: frames after a reserved tag frame; the tag is written at the end. */
    private static final class Writer {
        private final SeekableByteChannel channel;
        private final OutputStream out;
        private final Mp3InfoTag template;
        private long bytes;
        private long frames;
        private int musicCrc;
        private long[] offsets = new long[4096];
        private final int sampleRate;
        private final int samplesPerFrame;
        private final long start;

        Writer(SeekableByteChannel channel, Mp3InfoTag template, byte[] prefix) throws IOException {
            this.channel = channel;
            this.template = template;
            this.sampleRate = template.frame().sampleRate();
            this.samplesPerFrame = template.frame().samples();
            this.start = prefix.length;
            channel.position(0);
            writeFully(ByteBuffer.wrap(prefix));
            channel.position(start + template.frame().length());
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            this.bytes = template.frame().length();
        }

        void write(Mp3Frame frame) throws IOException {
            if (!frame.compatible(template.frame())) {
                throw new IOException("a segment has another sample rate or channel count");
            }
            if (frames == offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[(int) frames] = bytes;
            out.write(frame.bytes());
            musicCrc = Mp3InfoTag.crc16(frame.bytes(), 0, frame.length(), musicCrc);
            bytes += frame.length();
            frames++;
        }

        Result finish(int padding, List<Integer> shifts, int overflows) throws IOException {
            out.flush();
            byte[] toc = Mp3InfoTag.toc(offsets, (int) frames, bytes);
            Mp3Frame tag = template.rewrite(frames, bytes, toc, template.delay(), padding, musicCrc);
            channel.position(start);
            writeFully(ByteBuffer.wrap(tag.bytes()));
            long samples = frames * samplesPerFrame - template.delay() - padding;
            return new Result(frames, start + bytes, samples, sampleRate, List.copyOf(shifts), overflows);
        }

        private void writeFully(ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
