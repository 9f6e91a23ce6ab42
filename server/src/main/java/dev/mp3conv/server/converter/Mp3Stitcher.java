package dev.mp3conv.server.converter;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
 * seek table, the first segment's delay and the last segment's padding, the music CRC), so decoders
 * trim to the exact length. The file is written in one pass, the tag first, and its SHA-256 is that of
 * the bytes as written: the tag is known before the frames are copied because the music CRC of the kept
 * frames is derived from each segment's own music CRC (ffmpeg's muxer writes the CRC-16 of every frame
 * after its tag frame) and the CRC of the few frames dropped or changed, CRC-16 being linear
 * ({@link Crc16Shift}). A second thread checks that CRC over the bytes while they are copied; if it differs
 * (a segment whose tag does not carry its CRC), the tag is written again and the file hashed again. The
 * kept frames go out as runs of bytes, not frame by frame; memory is the frame offsets (8 bytes a frame)
 * and the mapped segment files.
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
    /** Bytes checksummed at a time when the CRC is computed over the bytes. */
    private static final int CHUNK = 1 << 18;

    private Mp3Stitcher() {
    }

    /**
     * One segment's MP3 and which of its frames to keep.
     *
     * @param mp3        the segment as ffmpeg wrote it: a Xing/Info + LAME frame, then the frames (read only)
     * @param keepFrom   first frame to keep (frame 0 = the first after the tag), its pre-roll before it
     * @param keepBefore first frame not to keep (the tail starts there); -1 for the last segment,
     *                   which is kept to its end
     */
    record Part(FileChannel mp3, int keepFrom, int keepBefore) {
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
     * @param sha256      lowercase hex SHA-256 of the bytes written, prefix included
     */
    record Result(long frames, long bytes, long samples, int sampleRate, List<Integer> shifts, int overflows,
                  String sha256) {
    }

    /**
     * Stitches the parts into {@code out} (written from position 0).
     *
     * @param parts segments in order, at least one
     * @param out   an empty destination
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
     * @param out    an empty destination
     * @param prefix bytes to write before the MP3 (the Info frame follows them)
     * @return what was written ({@code bytes} counts the prefix)
     * @throws IOException when a part is not an MP3 as expected or the output fails
     */
    static Result stitch(List<Part> parts, SeekableByteChannel out, byte[] prefix) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no parts");
        }
        List<Run> runs = new ArrayList<>();
        List<Integer> shifts = new ArrayList<>();
        Mp3InfoTag template = null;
        Segment previous = null;
        int overflows = 0;
        int padding = 0;
        boolean derivable = true;
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            boolean last = i == parts.size() - 1;
            if (!last && part.keepBefore() - part.keepFrom() <= HOLD + 2 * MAX_SHIFT) {
                throw new IllegalArgumentException("segment " + i + " keeps too few frames");
            }
            Segment segment = new Segment(part, i);
            if (template == null) {
                template = segment.tag;
            } else if (segment.tag.delay() != template.delay()) {
                throw new IOException("segment " + i + " has encoder delay " + segment.tag.delay() + ", segment 0 "
                        + template.delay() + ": their frames do not line up");
            }
            int from = part.keepFrom();
            if (previous != null) {
                Splice splice = splice(previous, segment);
                shifts.add(splice.shift);
                overflows += splice.overflow ? 1 : 0;
                runs.addAll(previous.runsBefore(splice.firstDropped, splice.handed));
                derivable &= previous.indexAll() && previous.describedByItsTag();
                from += splice.shift;
            }
            segment.keepFrom(from);
            if (last) {
                segment.indexThrough(Integer.MAX_VALUE);
                runs.addAll(segment.runsBefore(segment.count, new byte[0]));
                padding = segment.tag.padding();
                derivable &= segment.describedByItsTag();
            } else {
                // the frames up to the hold window before the earliest possible splice must be there
                segment.require(part.keepBefore() - MAX_SHIFT - HOLD);
                segment.indexThrough(part.keepBefore() + MAX_SHIFT);
            }
            previous = segment;
        }
        return write(runs, template, padding, shifts, overflows, prefix, out, derivable);
    }

    private static Result write(List<Run> runs, Mp3InfoTag template, int padding, List<Integer> shifts, int overflows,
                                byte[] prefix, SeekableByteChannel out, boolean derivable) throws IOException {
        Mp3Frame format = template.frame();
        int frames = 0;
        for (Run run : runs) {
            frames += run.frames();
        }
        long[] offsets = new long[frames];
        long bytes = format.length();
        int n = 0;
        int key = streamKey(ByteBuffer.wrap(format.bytes()).getInt(0));
        for (Run run : runs) {
            for (int k = run.firstFrame(); k < run.firstFrame() + run.frames(); k++) {
                if (streamKey(run.segment().header(k)) != key) {
                    throw new IOException("a segment has another sample rate or channel count");
                }
                offsets[n++] = bytes;
                bytes += run.segment().frameLength(k);
            }
        }
        byte[] toc = Mp3InfoTag.toc(offsets, frames, bytes);
        int musicCrc = derivable ? derivedCrc(runs) : musicCrc(runs);
        Mp3Frame tag = template.rewrite(frames, bytes, toc, template.delay(), padding, musicCrc);
        MessageDigest sha = sha256();
        // the bytes go out on another thread (the kernel copies the runs from the segment files) while this one
        // hashes the same bytes in the same order from the mapped files
        out.position(0);
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> writeAll(prefix, tag, runs, out),
                Thread::startVirtualThread);
        sha.update(prefix);
        sha.update(tag.bytes());
        for (Run run : runs) {
            sha.update(run.bytes() != null ? ByteBuffer.wrap(run.bytes()) : run.segment().slice(run.start(), run.end()));
        }
        await(written);
        long samples = (long) frames * format.samples() - template.delay() - padding;
        return new Result(frames, prefix.length + bytes, samples, format.sampleRate(), List.copyOf(shifts), overflows,
                HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * What {@link Mp3Frame#compatible} compares, from a header: MPEG version, sample rate, one channel or two.
     */
    private static int streamKey(int header) {
        return ((header >>> 19) & 0x3) << 3 | ((header >>> 10) & 0x3) << 1 | (((header >>> 6) & 0x3) == 3 ? 1 : 0);
    }

    /** Writes the prefix, the tag and the runs, in order. */
    private static void writeAll(byte[] prefix, Mp3Frame tag, List<Run> runs, SeekableByteChannel out) {
        try {
            writeFully(out, ByteBuffer.wrap(prefix));
            writeFully(out, ByteBuffer.wrap(tag.bytes()));
            for (Run run : runs) {
                if (run.bytes() != null) {
                    writeFully(out, ByteBuffer.wrap(run.bytes()));
                } else {
                    transfer(run.segment().part.mp3(), run.start(), run.length(), out);
                }
            }
            if (out instanceof FileChannel file) {
                // the disk writes start now, beside the hashing, rather than in the store's fsync after it (measured:
                // 15-20 ms for 29 MB, which the frame-by-frame stitch hid behind its hashing pass)
                file.force(false);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Copies bytes of a segment's file to the output without bringing them through this process. */
    private static void transfer(FileChannel from, long position, long length, SeekableByteChannel out)
            throws IOException {
        long done = 0;
        while (done < length) {
            long moved = from.transferTo(position + done, length - done, out);
            if (moved <= 0) {
                throw new EOFException("a segment ended while it was copied");
            }
            done += moved;
        }
    }

    /** The music CRC computed over the runs' bytes. */
    private static int musicCrc(List<Run> runs) {
        byte[] buffer = new byte[CHUNK];
        int crc = 0;
        for (Run run : runs) {
            if (run.bytes() != null) {
                crc = Mp3InfoTag.crc16(run.bytes(), 0, run.bytes().length, crc);
                continue;
            }
            for (long at = run.start(); at < run.end(); at += CHUNK) {
                int length = (int) Math.min(CHUNK, run.end() - at);
                run.segment().map.get(Math.toIntExact(at), buffer, 0, length);
                crc = Mp3InfoTag.crc16(buffer, 0, length, crc);
            }
        }
        return crc;
    }

    /**
     * The music CRC from the segments' own: a run of a segment's frames [x, y) has the CRC that the segment's
     * (over [a, e)) leaves once the CRCs of [a, x) and [y, e) are taken out; only those few frames are read.
     */
    private static int derivedCrc(List<Run> runs) {
        int crc = 0;
        for (Run run : runs) {
            int own;
            if (run.bytes() != null) {
                own = Mp3InfoTag.crc16(run.bytes(), 0, run.bytes().length, 0);
            } else {
                Segment s = run.segment();
                long audioStart = s.offsets[0];
                long audioEnd = s.offsets[s.count];
                int before = s.crc(audioStart, run.start());
                int after = s.crc(run.end(), audioEnd);
                int upToEnd = Crc16Shift.unshift(s.tag.musicCrc() ^ after, audioEnd - run.end());
                own = upToEnd ^ Crc16Shift.shift(before, run.end() - run.start());
            }
            crc = Crc16Shift.shift(crc, run.length()) ^ own;
        }
        return crc;
    }

    private static void await(CompletableFuture<Void> written) throws IOException {
        try {
            written.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("the stitched MP3 could not be written: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the stitched MP3 was written", e);
        }
    }

    /**
     * Output bytes after the tag frame: frames {@code [firstFrame, firstFrame + frames)} of a segment, either
     * as they are in its file ({@code bytes} null: {@code [start, end)}) or with their main data changed.
     */
    private record Run(Segment segment, int firstFrame, int frames, long start, long end, byte[] bytes) {
        long length() {
            return bytes == null ? end - start : bytes.length;
        }
    }

    private record Splice(int shift, boolean overflow, int firstDropped, byte[] handed) {
    }

    /**
     * Chooses the splice between the earlier segment {@code a} (frames up to its keepBefore + MAX_SHIFT
     * indexed, the hold window before them there) and the later {@code b}, and the bytes {@code b}'s first
     * kept frame needs, which go into {@code a}'s last kept frames.
     */
    private static Splice splice(Segment a, Segment b) throws IOException {
        b.indexThrough(b.part.keepFrom() + MAX_SHIFT);
        int bestShift = 0;
        int bestSlack = Integer.MIN_VALUE;
        for (int shift : SHIFTS) {
            int firstDropped = a.part.keepBefore() + shift;
            int firstKept = b.part.keepFrom() + shift;
            if (firstKept < 1 || firstDropped >= a.count || firstKept >= b.count) {
                continue;
            }
            Mp3Frame dropped = a.frame(firstDropped);
            Mp3Frame kept = b.frame(firstKept);
            if (!dropped.compatible(kept)) {
                throw new IOException("segment " + b.index + " has another sample rate or channel count");
            }
            int slack = dropped.mainDataBegin() - kept.mainDataBegin();
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
        return new Splice(bestShift, fits < needed, firstDropped, Arrays.copyOfRange(handed, needed - fits, needed));
    }

    /** One part, mapped: the offsets of its frames indexed as far as needed. */
    private static final class Segment {
        private final Part part;
        private final int index;
        private final MappedByteBuffer map;
        private final Mp3InfoTag tag;
        private final long size;
        private final byte[] header = new byte[4];
        /** Offsets of frames 0..count-1, and at {@code count} the end of the last one. */
        private long[] offsets = new long[1024];
        private int count;
        private long position;
        private final long tagStart;
        private boolean ended;
        private int keepFrom;

        Segment(Part part, int index) throws IOException {
            this.part = part;
            this.index = index;
            this.size = part.mp3().size();
            this.map = part.mp3().map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (size >= 10 && map.get(0) == 'I' && map.get(1) == 'D' && map.get(2) == '3') {
                long tagSize = ((map.get(6) & 0x7F) << 21) | ((map.get(7) & 0x7F) << 14) | ((map.get(8) & 0x7F) << 7)
                        | (map.get(9) & 0x7F);
                position = 10 + tagSize + ((map.get(5) & 0x10) != 0 ? 10 : 0);
            }
            long first = position;
            this.tagStart = first;
            int length = nextFrame();
            if (length < 0) {
                throw new IOException("segment " + index + " is empty");
            }
            byte[] bytes = new byte[length];
            map.get(Math.toIntExact(first), bytes);
            this.tag = Mp3InfoTag.of(new Mp3Frame(bytes));
            if (!tag.frame().mpeg1()) {
                throw new IOException("segment " + index + " is not MPEG-1 audio (32, 44.1 or 48 kHz)");
            }
            offsets[0] = position;
        }

        /** Parses the frame at {@code position} and moves past it; -1 at the end of the frames. */
        private int nextFrame() throws IOException {
            if (ended || position == size) {
                ended = true;
                return -1;
            }
            if (size - position < 4) {
                throw new EOFException("MP3 stream ends inside a frame header at byte " + position);
            }
            int word = map.getInt(Math.toIntExact(position));
            if ((word >>> 8) == ('T' << 16 | 'A' << 8 | 'G')) {
                ended = true;
                return -1;
            }
            int length = Mp3Frame.frameLength(word);
            if (length < 0) {
                map.get(Math.toIntExact(position), header);
                throw new IOException("not an MP3 layer III frame header at byte " + position + ": "
                        + Arrays.toString(header));
            }
            if (position + length > size) {
                throw new EOFException("MP3 stream ends inside a frame at byte " + position);
            }
            position += length;
            return length;
        }

        /** Indexes frames until frame {@code frameIndex} is (or the frames end). */
        void indexThrough(int frameIndex) throws IOException {
            while (!ended && count <= frameIndex) {
                if (nextFrame() < 0) {
                    return;
                }
                count++;
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, offsets.length * 2);
                }
                offsets[count] = position;
            }
        }

        /**
         * Indexes the rest (the tail, for the CRC derivation).
         *
         * @return false when the rest is not frames (then the CRC is computed over the bytes)
         */
        boolean indexAll() {
            try {
                indexThrough(Integer.MAX_VALUE);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        /**
         * Whether the segment's tag was written for exactly these frames (ffmpeg's muxer: its music length is the
         * bytes from the tag frame to the end of the last frame), so its music CRC is theirs.
         */
        boolean describedByItsTag() {
            return ended && tag.musicLength() == offsets[count] - tagStart;
        }

        ByteBuffer slice(long from, long to) {
            return map.slice(Math.toIntExact(from), Math.toIntExact(to - from));
        }

        /** Fails unless frames up to {@code frameIndex} (excluded) are there. */
        void require(int frameIndex) throws IOException {
            indexThrough(frameIndex - 1);
            if (count < frameIndex) {
                throw new IOException("segment " + index + " ends before its frame " + frameIndex);
            }
        }

        void keepFrom(int frameIndex) throws IOException {
            require(frameIndex);
            this.keepFrom = frameIndex;
        }

        int header(int frameIndex) {
            return map.getInt(Math.toIntExact(offsets[frameIndex]));
        }

        int frameLength(int frameIndex) {
            return (int) (offsets[frameIndex + 1] - offsets[frameIndex]);
        }

        Mp3Frame frame(int frameIndex) {
            byte[] bytes = new byte[frameLength(frameIndex)];
            map.get(Math.toIntExact(offsets[frameIndex]), bytes);
            return new Mp3Frame(bytes);
        }

        int crc(long from, long to) {
            byte[] bytes = new byte[Math.toIntExact(to - from)];
            map.get(Math.toIntExact(from), bytes);
            return Mp3InfoTag.crc16(bytes, 0, bytes.length, 0);
        }

        /**
         * The kept frames before {@code end}: as they are up to the hold window, then the hold window with
         * {@code handed} at the end of its main data slots.
         */
        List<Run> runsBefore(int end, byte[] handed) throws IOException {
            // the frames the stitcher held back before a splice (the last segment has none, nor does a splice
            // that hands nothing over)
            int holdFrom = handed.length == 0 ? end : Math.max(keepFrom, part.keepBefore() - MAX_SHIFT - HOLD);
            List<Run> runs = new ArrayList<>();
            if (holdFrom > keepFrom) {
                runs.add(new Run(this, keepFrom, holdFrom - keepFrom, offsets[keepFrom], offsets[holdFrom], null));
            }
            if (end > holdFrom) {
                byte[] window = new byte[Math.toIntExact(offsets[end] - offsets[holdFrom])];
                map.get(Math.toIntExact(offsets[holdFrom]), window);
                writeMainDataBefore(window, holdFrom, end, handed);
                runs.add(new Run(this, holdFrom, end - holdFrom, offsets[holdFrom], offsets[end], window));
            }
            return runs;
        }

        /** Writes {@code data} into the main data slots of frames [from, end) (held in {@code window}), last first. */
        private void writeMainDataBefore(byte[] window, int from, int end, byte[] data) throws IOException {
            int remaining = data.length;
            long base = offsets[from];
            for (int i = end - 1; i >= from && remaining > 0; i--) {
                Mp3Frame frame = frame(i);
                int slot = frame.length() - frame.mainDataOffset();
                int put = Math.min(slot, remaining);
                int frameEnd = (int) (offsets[i + 1] - base);
                System.arraycopy(data, remaining - put, window, frameEnd - put, put);
                remaining -= put;
            }
            if (remaining > 0) {
                throw new IOException("segment " + index + ": not enough frames held before frame " + end);
            }
        }

        /** The last {@code count} main data bytes before frame {@code frameIndex}'s header. */
        byte[] mainDataBefore(int frameIndex, int length) throws IOException {
            byte[] out = new byte[length];
            int remaining = length;
            for (int i = frameIndex - 1; i >= 0 && remaining > 0; i--) {
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
    }

    private static void writeFully(SeekableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
