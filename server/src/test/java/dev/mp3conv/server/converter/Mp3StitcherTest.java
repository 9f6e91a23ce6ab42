package dev.mp3conv.server.converter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.mp3conv.server.jobs.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The frame parser, the Info tag and the stitcher on synthetic frames (MPEG-1 layer III, 44.1 kHz,
 * 128 kbit/s, 417 bytes: 4 header, 32 side information, 381 main data), whose main data bytes
 * name the segment and frame they belong to, so where each byte ends up can be checked exactly.
 */
class Mp3StitcherTest {
    private static final byte[] HEADER = {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x00};
    private static final int LENGTH = 417;
    private static final int SLOT = LENGTH - 36;

    @TempDir
    Path dir;

    private final List<FileChannel> opened = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeSegments() throws IOException {
        for (FileChannel channel : opened) {
            channel.close();
        }
    }

    @Test
    void parsesHeadersSideInformationAndTagFrames() throws Exception {
        Mp3Frame frame = frame(1, 2, 300);
        assertThat(Mp3Frame.frameLength(HEADER)).contains(LENGTH);
        assertThat(frame.mpeg1()).isTrue();
        assertThat(frame.sampleRate()).isEqualTo(44100);
        assertThat(frame.channels()).isEqualTo(2);
        assertThat(frame.bitrateKbps()).isEqualTo(128);
        assertThat(frame.mainDataOffset()).isEqualTo(36);
        assertThat(frame.mainDataBegin()).isEqualTo(300);
        assertThat(frame.tag()).isFalse();
        assertThat(tagFrame(10, 1000).tag()).isTrue();

        byte[] padded = {(byte) 0xFF, (byte) 0xFB, (byte) 0x92, 0x00};
        assertThat(Mp3Frame.frameLength(padded)).contains(LENGTH + 1);
        byte[] monoWithCrc = {(byte) 0xFF, (byte) 0xFA, (byte) 0x94, (byte) 0xC0};
        Mp3Frame mono = new Mp3Frame(Arrays.copyOf(monoWithCrc, Mp3Frame.frameLength(monoWithCrc).orElseThrow()));
        assertThat(mono.sampleRate()).isEqualTo(48000);
        assertThat(mono.channels()).isEqualTo(1);
        assertThat(mono.mainDataOffset()).isEqualTo(6 + 17);
        // layer II, free format and the reserved rate are not frames this stitcher takes
        assertThat(Mp3Frame.frameLength(new byte[] {(byte) 0xFF, (byte) 0xFD, (byte) 0x90, 0})).isEmpty();
        assertThat(Mp3Frame.frameLength(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x00, 0})).isEmpty();
        assertThat(Mp3Frame.frameLength(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x9C, 0})).isEmpty();
    }

    @Test
    void readerSkipsAnId3v2TagStopsAtId3v1AndRefusesGarbage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5});
        out.write(frame(0, 0, 0).bytes());
        out.write(frame(0, 1, 0).bytes());
        out.write("TAG".getBytes(StandardCharsets.ISO_8859_1));
        out.write(new byte[125]);
        Mp3Frame.Reader reader = new Mp3Frame.Reader(new ByteArrayInputStream(out.toByteArray()));
        assertThat(reader.next()).isPresent();
        assertThat(reader.next().orElseThrow().bytes()[40]).isEqualTo(marker(0, 1));
        assertThat(reader.next()).isEmpty();

        byte[] garbage = Arrays.copyOf(frame(0, 0, 0).bytes(), LENGTH + 10);
        Mp3Frame.Reader bad = new Mp3Frame.Reader(new ByteArrayInputStream(garbage));
        bad.next();
        assertThatThrownBy(bad::next).isInstanceOf(IOException.class);
        Mp3Frame.Reader cut = new Mp3Frame.Reader(new ByteArrayInputStream(Arrays.copyOf(frame(0, 0, 0).bytes(), 100)));
        assertThatThrownBy(cut::next).isInstanceOf(IOException.class);
    }

    @Test
    void crcEightBytesAStepEqualsTheBitwiseDefinitionAtAnyOffsetLengthAndStart() {
        byte[] data = new byte[4099];
        new java.util.Random(18).nextBytes(data);
        for (int[] c : new int[][] {{0, 0, 0}, {0, 7, 0}, {1, 8, 0}, {3, 17, 0xFFFF}, {5, 4000, 0x1234}, {0, 4099, 0xBEEF}}) {
            int expected = c[2];
            for (int i = c[0]; i < c[0] + c[1]; i++) {
                expected ^= data[i] & 0xFF;
                for (int bit = 0; bit < 8; bit++) {
                    expected = (expected & 1) != 0 ? (expected >>> 1) ^ 0xA001 : expected >>> 1;
                }
            }
            assertThat(Mp3InfoTag.crc16(data, c[0], c[1], c[2])).as("offset %d length %d", c[0], c[1]).isEqualTo(expected);
        }
    }

    @Test
    void crcIsLamesCrc16AndTheRewrittenTagDescribesTheFile() throws Exception {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Mp3InfoTag.crc16(check, 0, check.length, 0)).isEqualTo(0xBB3D);

        Mp3InfoTag tag = Mp3InfoTag.of(tagFrame(10, 700));
        assertThat(tag.delay()).isEqualTo(576);
        assertThat(tag.padding()).isEqualTo(700);
        assertThat(tag.encoder()).isEqualTo("LAME3.100");
        byte[] toc = new byte[100];
        toc[50] = 12;
        Mp3InfoTag rewritten = Mp3InfoTag.of(tag.rewrite(1234, 567_890, toc, 576, 1001, 0xABCD));
        assertThat(rewritten.frames()).isEqualTo(1234);
        assertThat(rewritten.padding()).isEqualTo(1001);
        assertThat(rewritten.delay()).isEqualTo(576);
        assertThat(rewritten.crcValid()).isTrue();
        assertThat(rewritten.frame().bytes()[36 + 16 + 50]).isEqualTo((byte) 12);
        assertThat(tag.crcValid()).as("the hand-made template has no valid CRC").isFalse();
    }

    @Test
    void spliceHandsTheLaterSegmentsReservoirBytesToTheEarlierSegmentsFreeSpace() throws Exception {
        // A: frame 30 is the first dropped one; its data starts 300 bytes back, so 300 bytes are free.
        // B: frame 8 is the first kept one; its data starts 50 bytes back, in B's dropped pre-roll.
        byte[] a = segment(0, 40, 0, java.util.Map.of(30, 300), 100);
        byte[] b = segment(1, 40, 0, java.util.Map.of(8, 50), 777);
        Stitched stitched = stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30), new Mp3Stitcher.Part(in(b), 8, -1)));

        assertThat(stitched.result.shifts()).containsExactly(0);
        assertThat(stitched.result.overflows()).isZero();
        assertThat(stitched.frames).hasSize(30 + 32);
        // A's frames 0..29 then B's 8..39, in order
        assertThat(stitched.frames.get(29).bytes()[36]).isEqualTo(marker(0, 29));
        assertThat(stitched.frames.get(30).bytes()[LENGTH - 1]).isEqualTo(marker(1, 8));
        assertThat(stitched.frames.get(30).mainDataBegin()).isEqualTo(50);
        // the 50 bytes before B's frame 8 (the end of B's frame 7) now end A's frame 29
        byte[] endOfA = Arrays.copyOfRange(stitched.frames.get(29).bytes(), LENGTH - 50, LENGTH);
        byte[] expected = new byte[50];
        Arrays.fill(expected, marker(1, 7));
        assertThat(endOfA).isEqualTo(expected);
        assertThat(stitched.frames.get(29).bytes()[LENGTH - 51]).isEqualTo(marker(0, 29));

        Mp3InfoTag tag = stitched.tag;
        assertThat(tag.frames()).isEqualTo(62);
        assertThat(tag.delay()).isEqualTo(576);
        assertThat(tag.padding()).as("the last segment's padding").isEqualTo(777);
        assertThat(tag.crcValid()).isTrue();
        assertThat(stitched.result.bytes()).isEqualTo((long) LENGTH * 63);
        assertThat(stitched.result.samples()).isEqualTo(62L * 1152 - 576 - 777);
        int music = 0;
        for (Mp3Frame frame : stitched.frames) {
            music = Mp3InfoTag.crc16(frame.bytes(), 0, frame.length(), music);
        }
        byte[] tagBytes = tag.frame().bytes();
        assertThat(((tagBytes[36 + 152] & 0xFF) << 8) | (tagBytes[36 + 153] & 0xFF)).isEqualTo(music);
        // seek table: frame i% through the file at offset i% of the bytes (frames are equal here)
        assertThat(tagBytes[36 + 16] & 0xFF).isEqualTo(256 * LENGTH / (LENGTH * 63));
        assertThat(tagBytes[36 + 16 + 50] & 0xFF).isEqualTo((int) (256L * (LENGTH + 31L * LENGTH) / (LENGTH * 63L)));
    }

    @Test
    void segmentsWhoseTagsCarryTheirMusicCrcStitchToTheSameBytesAndHashAsThoseWhoseCrcIsComputed() throws Exception {
        byte[] a = segment(0, 40, 0, java.util.Map.of(30, 300), 100);
        byte[] b = segment(1, 40, 0, java.util.Map.of(8, 50), 777);
        Path computed = Files.createTempFile(dir, "computed", ".mp3");
        Mp3Stitcher.Result slow = stitchInto(computed, a, b);
        Path derived = Files.createTempFile(dir, "derived", ".mp3");
        // as ffmpeg's muxer writes them: the music length and CRC of the frames after the tag frame
        Mp3Stitcher.Result fast = stitchInto(derived, described(a), described(b));

        assertThat(Files.readAllBytes(derived)).isEqualTo(Files.readAllBytes(computed));
        assertThat(fast.sha256()).isEqualTo(slow.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(derived))));
        // a tag written for other bytes than its segment's (another music length, so another CRC) is not trusted:
        // the CRC is computed over the bytes
        byte[] other = described(b);
        other[36 + 151]--;
        other[36 + 153] ^= 1;
        Path file = Files.createTempFile(dir, "other", ".mp3");
        stitchInto(file, described(a), other);
        assertThat(tagOf(file).musicCrc()).isEqualTo(tagOf(derived).musicCrc())
                .isEqualTo(musicCrcAfterTag(Files.readAllBytes(derived)));
    }

    @Test
    void aCrcMovesAcrossBytesItHasNotSeenAndBack() {
        byte[] data = new byte[70_000];
        new java.util.Random(7).nextBytes(data);
        for (int[] cut : new int[][] {{0, 10}, {3, 40_000}, {1000, 69_999}, {33_000, 65_534}}) {
            int a = Mp3InfoTag.crc16(data, 0, cut[0], 0);
            int b = Mp3InfoTag.crc16(data, cut[0], cut[1] - cut[0], 0);
            int whole = Mp3InfoTag.crc16(data, 0, cut[1], 0);
            assertThat(Crc16Shift.shift(a, cut[1] - cut[0]) ^ b).as("cut %d..%d", cut[0], cut[1]).isEqualTo(whole);
            assertThat(Crc16Shift.unshift(whole ^ b, cut[1] - cut[0])).isEqualTo(a);
        }
        for (int bit = 0; bit < 16; bit++) {
            assertThat(Crc16Shift.shift(1 << bit, Crc16Shift.ORDER - 1)).isNotEqualTo(1 << bit);
            assertThat(Mp3InfoTag.crc16(new byte[Crc16Shift.ORDER], 0, Crc16Shift.ORDER, 1 << bit)).isEqualTo(1 << bit);
        }
    }

    @Test
    void spliceMovesWithinTheOverlapWhenTheFreeSpaceIsTooSmallAtThePlannedFrame() throws Exception {
        byte[] a = segment(0, 40, 0, java.util.Map.of(30, 10, 31, 300), 0);
        byte[] b = segment(1, 40, 0, java.util.Map.of(8, 50, 9, 40), 0);
        Stitched stitched = stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30), new Mp3Stitcher.Part(in(b), 8, -1)));
        assertThat(stitched.result.shifts()).containsExactly(1);
        assertThat(stitched.result.overflows()).isZero();
        assertThat(stitched.frames).hasSize(31 + 31);
        assertThat(stitched.frames.get(30).bytes()[36]).isEqualTo(marker(0, 30));
        assertThat(stitched.frames.get(31).mainDataBegin()).isEqualTo(40);
        assertThat(stitched.frames.get(30).bytes()[LENGTH - 1]).isEqualTo(marker(1, 8));
    }

    @Test
    void aSpliceWithoutRoomAnywhereIsReportedNotHidden() throws Exception {
        byte[] a = segment(0, 40, 5, java.util.Map.of(), 0);
        byte[] b = segment(1, 40, 400, java.util.Map.of(), 0);
        Stitched stitched = stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30), new Mp3Stitcher.Part(in(b), 8, -1)));
        assertThat(stitched.result.overflows()).isEqualTo(1);
    }

    @Test
    void refusesSegmentsThatDoNotLineUp() throws Exception {
        byte[] a = segment(0, 40, 0, java.util.Map.of(), 0);
        byte[] otherDelay = segment(1, 40, 0, java.util.Map.of(), 0);
        otherDelay[36 + 141] = 0x30;
        assertThatThrownBy(() -> stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30),
                new Mp3Stitcher.Part(in(otherDelay), 8, -1)))).hasMessageContaining("encoder delay");
        byte[] shortOne = segment(1, 5, 0, java.util.Map.of(), 0);
        assertThatThrownBy(() -> stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30),
                new Mp3Stitcher.Part(in(shortOne), 8, -1)))).isInstanceOf(IOException.class);
        byte[] noTag = Arrays.copyOfRange(a, LENGTH, a.length);
        assertThatThrownBy(() -> stitch(List.of(new Mp3Stitcher.Part(in(noTag), 0, -1))))
                .hasMessageContaining("Xing/Info");
    }

    @Test
    void planGivesLaterPartsLessToEncodeForTheInputTheyDecodeBeforeTheirOwn() {
        long frames = 1200L * 44100 / 1152;
        for (int parts : new int[] {2, 3, 4, 8}) {
            double[] work = new double[parts];
            for (int i = 0; i < parts; i++) {
                long first = SegmentPlan.boundary(i, parts, frames);
                long next = SegmentPlan.boundary(i + 1, parts, frames);
                assertThat(next).isGreaterThan(first);
                work[i] = (next - first) + SegmentPlan.SKIP_COST * first;
            }
            assertThat(SegmentPlan.boundary(0, parts, frames)).isZero();
            assertThat(SegmentPlan.boundary(parts, parts, frames)).isEqualTo(frames);
            for (double w : work) {
                assertThat(w).as("%d parts: %s", parts, Arrays.toString(work)).isCloseTo(work[0],
                        org.assertj.core.data.Offset.offset(2.0));
            }
        }
        // two parts of 20 minutes: cut at 1/(2 - SKIP_COST) of the input, about 10 min 19 s
        assertThat(SegmentPlan.boundary(1, 2, frames) * 1152.0 / 44100).isCloseTo(1200 / (2 - SegmentPlan.SKIP_COST),
                org.assertj.core.data.Offset.offset(0.05));
    }

    @Test
    void planCutsOnTheFrameGridWithPreRollAndTail() {
        SegmentPlan plan = SegmentPlan.of(50, 44100, Duration.ofSeconds(20), 5, false).orElseThrow();
        assertThat(plan.parts()).hasSize(5);
        long keptEnd = 0;
        double seconds = 0;
        for (SegmentPlan.Part part : plan.parts()) {
            assertThat(part.startSample() % 1152).isZero();
            long keptStart = part.startSample() / 1152 + part.keepFrom();
            assertThat(keptStart).as("part %d starts where the previous ends", part.index()).isEqualTo(keptEnd);
            assertThat(part.keepFrom()).isEqualTo(part.index() == 0 ? 0 : SegmentPlan.PRE_ROLL);
            if (!part.last()) {
                keptEnd = part.startSample() / 1152 + part.keepBefore();
                assertThat(part.endSample()).isEqualTo((keptEnd + SegmentPlan.TAIL) * 1152);
            }
            seconds += plan.keptSeconds(part, 50);
        }
        assertThat(plan.parts().getLast().endSample()).isEqualTo(-1);
        assertThat(seconds).isCloseTo(50, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(plan.parts().getFirst().keepBefore()).as("the first part encodes more than a fifth")
                .isGreaterThan(50 * 44100 / 1152 / 5);
        // at most half the threshold per part: 50 s with 20 s gives 5, with 40 s only 2
        assertThat(SegmentPlan.of(50, 44100, Duration.ofSeconds(40), 5, false).orElseThrow().parts()).hasSize(2);
        assertThat(SegmentPlan.of(20, 44100, Duration.ofSeconds(20), 5, false)).isEmpty();
        assertThat(SegmentPlan.of(500, 22050, Duration.ofSeconds(20), 5, false)).as("MPEG-2 rates").isEmpty();
        assertThat(SegmentPlan.of(500, 48000, Duration.ofSeconds(20), 1, false)).isEmpty();
        assertThat(SegmentPlan.of(500, 48000, Duration.ZERO, 5, false)).isEmpty();
    }

    @Test
    void planOfAnInputWhoseSegmentsSeekCutsEvenlyAndOnlyTheLaterPartsSeek() {
        SegmentPlan plan = SegmentPlan.of(1200, 44100, Duration.ofMinutes(4), 2, true).orElseThrow();
        long frames = 1200L * 44100 / 1152;
        assertThat(plan.parts()).extracting(SegmentPlan.Part::seeks).containsExactly(false, true);
        SegmentPlan.Part second = plan.parts().get(1);
        assertThat(second.startSample() / 1152 + second.keepFrom()).as("cut in the middle")
                .isEqualTo(Math.round(frames / 2.0));
        assertThat(plan.parts().getFirst().keepBefore()).isEqualTo(second.startSample() / 1152 + second.keepFrom());
        SegmentPlan five = SegmentPlan.of(50, 44100, Duration.ofSeconds(20), 5, true).orElseThrow();
        for (SegmentPlan.Part part : five.parts()) {
            assertThat(five.keptSeconds(part, 50)).isCloseTo(10, org.assertj.core.data.Offset.offset(0.03));
        }
        assertThat(SegmentPlan.of(50, 44100, Duration.ofSeconds(20), 5, false).orElseThrow().parts())
                .as("counting plans keep their shares").noneMatch(SegmentPlan.Part::seeks);
    }

    @Test
    void onlyContainersWhoseTimestampsNameEverySampleSeek() {
        assertThat(SegmentPlan.seeks("mov,mp4,m4a,3gp,3g2,mj2")).isTrue();
        assertThat(SegmentPlan.seeks("flac")).isTrue();
        assertThat(SegmentPlan.seeks("wav")).isTrue();
        for (String other : List.of("matroska,webm", "mpegts", "avi", "flv", "asf", "mp3", "ogg", "")) {
            assertThat(SegmentPlan.seeks(other)).as(other).isFalse();
        }
    }

    @Test
    void aSeekingSegmentSeeksBeforeItsStartTrimsByTimestampAndTapsBothChecks() {
        Segment seeking = Segment.encode("job", 1, 3, 44100, 441000, 882000, 8, 300, 10).seeking(true, 870912);
        Mp3Encoding part = SegmentWorker.rangeOf(Mp3Encoding.standard(), seeking);
        assertThat(part.inputArgs()).containsExactly("-seek2any", "1", "-noaccurate_seek", "-ss", "5.000000",
                "-copyts");
        assertThat(String.join(" ", part.codecArgs())).contains("-af atrim=start_pts=441000:end_pts=882000,asplit=3"
                + "[part][tap0][tap1];[tap0]atrim=end_sample=1,ashowinfo@segstart,anullsink;[tap1]atrim="
                + "start_sample=429912:end_sample=429913,ashowinfo@segnext,anullsink;[part]asetpts=PTS-STARTPTS");

        Segment first = Segment.encode("job", 0, 3, 44100, 0, 450000, 0, 390, 10).seeking(false, 432000);
        Mp3Encoding counted = SegmentWorker.rangeOf(Mp3Encoding.standard(), first);
        assertThat(counted.inputArgs()).as("the same timestamps as the seeking run reads").containsExactly("-copyts");
        assertThat(String.join(" ", counted.codecArgs())).contains("-af atrim=start_sample=0:end_sample=450000,"
                + "asplit=2[part][tap0];[tap0]atrim=start_sample=432000:end_sample=432001,ashowinfo@segnext,anullsink;"
                + "[part]asetpts=PTS-STARTPTS");

        Segment plain = Segment.encode("job", 2, 3, 44100, 864000, -1, 8, -1, 10);
        Mp3Encoding old = SegmentWorker.rangeOf(Mp3Encoding.standard(), plain);
        assertThat(old.inputArgs()).isEmpty();
        assertThat(String.join(" ", old.codecArgs())).contains("-af atrim=start_sample=864000,asetpts=PTS-STARTPTS");
    }

    private record Stitched(Mp3Stitcher.Result result, Mp3InfoTag tag, List<Mp3Frame> frames) {
    }

    private Stitched stitch(List<Mp3Stitcher.Part> parts) throws IOException {
        Path file = Files.createTempFile(dir, "stitched", ".mp3");
        Mp3Stitcher.Result result;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            result = Mp3Stitcher.stitch(parts, out);
        }
        Mp3Frame.Reader reader = new Mp3Frame.Reader(Files.newInputStream(file));
        Mp3InfoTag tag = Mp3InfoTag.of(reader.next().orElseThrow());
        List<Mp3Frame> frames = new ArrayList<>();
        for (Optional<Mp3Frame> f = reader.next(); f.isPresent(); f = reader.next()) {
            frames.add(f.get());
        }
        return new Stitched(result, tag, frames);
    }

    private Mp3Stitcher.Result stitchInto(Path file, byte[] a, byte[] b) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            return Mp3Stitcher.stitch(List.of(new Mp3Stitcher.Part(in(a), 0, 30), new Mp3Stitcher.Part(in(b), 8, -1)),
                    out, new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 0, 0});
        }
    }

    /** The tag frame after the 10-byte ID3v2 prefix {@link #stitchInto} writes. */
    private static Mp3InfoTag tagOf(Path stitched) throws IOException {
        return Mp3InfoTag.of(new Mp3Frame(Arrays.copyOfRange(Files.readAllBytes(stitched), 10, 10 + LENGTH)));
    }

    /** The segment with its tag's music length and CRC filled in, as ffmpeg's muxer fills them. */
    private static byte[] described(byte[] segment) {
        byte[] out = segment.clone();
        int at = 36;
        int crc = musicCrcAfterTag(out);
        out[at + 148] = (byte) (out.length >> 24);
        out[at + 149] = (byte) (out.length >> 16);
        out[at + 150] = (byte) (out.length >> 8);
        out[at + 151] = (byte) out.length;
        out[at + 152] = (byte) (crc >> 8);
        out[at + 153] = (byte) crc;
        return out;
    }

    private static int musicCrcAfterTag(byte[] file) {
        int start = file[0] == 'I' ? 10 : 0;
        return Mp3InfoTag.crc16(file, start + LENGTH, file.length - start - LENGTH, 0);
    }

    /** The segment as a file, as the stitch step reads it (closed with the test's directory). */
    private FileChannel in(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "segment", ".mp3");
        Files.write(file, bytes);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        opened.add(channel);
        return channel;
    }

    /** A tag frame, then {@code frames} frames with main_data_begin {@code defaultBegin} unless given. */
    private static byte[] segment(int segment, int frames, int defaultBegin, java.util.Map<Integer, Integer> begins,
                                  int padding) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tagFrame(frames, padding).bytes());
        for (int i = 0; i < frames; i++) {
            out.write(frame(segment, i, begins.getOrDefault(i, defaultBegin)).bytes());
        }
        return out.toByteArray();
    }

    private static Mp3Frame frame(int segment, int index, int mainDataBegin) {
        byte[] bytes = Arrays.copyOf(HEADER, LENGTH);
        bytes[4] = (byte) (mainDataBegin >> 1);
        bytes[5] = (byte) ((mainDataBegin & 1) << 7);
        Arrays.fill(bytes, 36, LENGTH, marker(segment, index));
        return new Mp3Frame(bytes);
    }

    private static byte marker(int segment, int index) {
        return (byte) (segment * 64 + index + 1);
    }

    private static Mp3Frame tagFrame(int frames, int padding) {
        byte[] bytes = Arrays.copyOf(HEADER, LENGTH);
        System.arraycopy("Info".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 36, 4);
        bytes[36 + 7] = 0x0F;
        bytes[36 + 11] = (byte) frames;
        System.arraycopy("LAME3.100".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 36 + 120, 9);
        int delayPadding = (576 << 12) | padding;
        bytes[36 + 141] = (byte) (delayPadding >> 16);
        bytes[36 + 142] = (byte) (delayPadding >> 8);
        bytes[36 + 143] = (byte) delayPadding;
        return new Mp3Frame(bytes);
    }
}
