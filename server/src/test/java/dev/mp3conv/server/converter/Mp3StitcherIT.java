package dev.mp3conv.server.converter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.mp3conv.server.jobs.Segment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stitcher on real frames: segments encoded by ffmpeg with the converter's own segment options
 * ({@link SegmentWorker#rangeOf}), stitched, decoded by ffmpeg and compared with the decoded source
 * beside a single-pass encode of the same source (the quality proof of issue 18).
 */
class Mp3StitcherIT {
    @TempDir
    Path dir;

    @Test
    void cbrSegmentsStitchAsCleanAsASinglePass() throws Exception {
        assertAsGoodAsSinglePass(SegmentAudio.source(dir, 50, 44100, true), 50, 44100, 2, Mp3Encoding.standard(),
                List.of("-b:a", "192k"));
    }

    @Test
    void vbrSegmentsStitchAsCleanAsASinglePass() throws Exception {
        Mp3Encoding vbr = new Mp3Encoding(List.of("-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "libmp3lame",
                "-q:a", "2"), null, false, true);
        assertAsGoodAsSinglePass(SegmentAudio.source(dir, 50, 44100, true), 50, 44100, 2, vbr, List.of("-q:a", "2"));
    }

    @Test
    void monoAt48kHzAtALowBitrateStitchesToo() throws Exception {
        Mp3Encoding low = new Mp3Encoding(List.of("-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "libmp3lame",
                "-b:a", "64k"), "64k", false, false);
        assertAsGoodAsSinglePass(SegmentAudio.source(dir, 45, 48000, false), 45, 48000, 1, low, List.of("-b:a", "64k"));
    }

    @Test
    void ffmpegsOwnTagIsReadAndItsCrcRecomputed() throws Exception {
        Path source = SegmentAudio.source(dir, 5, 44100, true);
        Path out = dir.resolve("one.mp3");
        List<String> args = new ArrayList<>(List.of("-i", source.toString()));
        args.addAll(SegmentWorker.rangeOf(Mp3Encoding.standard(), unit(new SegmentPlan.Part(0, 0, 100_000, 0, 80, false),
                44100)).codecArgs());
        args.addAll(List.of("-f", "mp3", out.toString()));
        SegmentAudio.ffmpeg(args.toArray(String[]::new));
        try (InputStream in = Files.newInputStream(out)) {
            Mp3Frame first = new Mp3Frame.Reader(in).next().orElseThrow();
            Mp3InfoTag tag = Mp3InfoTag.of(first);
            assertThat(tag.crcValid()).isTrue();
            assertThat(tag.delay()).isEqualTo(576);
            // 100,000 samples + 576 delay + padding fill whole frames
            assertThat(tag.frames() * 1152).isEqualTo(576 + 100_000 + tag.padding());
            Mp3Frame same = tag.rewrite(tag.frames(), Files.size(out), new byte[100], tag.delay(), tag.padding(), 0);
            assertThat(Mp3InfoTag.of(same).crcValid()).isTrue();
            assertThat(Mp3InfoTag.of(same).padding()).isEqualTo(tag.padding());
        }
    }

    private void assertAsGoodAsSinglePass(Path source, double seconds, int rate, int channels, Mp3Encoding encoding,
                                          List<String> cliArgs) throws IOException {
        SegmentPlan plan = SegmentPlan.of(seconds, rate, Duration.ofSeconds(20), 5, false).orElseThrow();
        assertThat(plan.parts()).hasSizeGreaterThanOrEqualTo(4);
        List<Path> encoded = new ArrayList<>();
        for (SegmentPlan.Part part : plan.parts()) {
            Path out = dir.resolve("segment-" + part.index() + ".mp3");
            List<String> args = new ArrayList<>(List.of("-i", source.toString()));
            args.addAll(SegmentWorker.rangeOf(encoding, unit(part, rate)).codecArgs());
            args.addAll(List.of("-f", "mp3", out.toString()));
            SegmentAudio.ffmpeg(args.toArray(String[]::new));
            encoded.add(out);
        }
        Path stitched = dir.resolve("stitched.mp3");
        Mp3Stitcher.Result result;
        List<FileChannel> streams = new ArrayList<>();
        try (FileChannel out = FileChannel.open(stitched, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            List<Mp3Stitcher.Part> parts = new ArrayList<>();
            for (int i = 0; i < encoded.size(); i++) {
                FileChannel in = FileChannel.open(encoded.get(i), StandardOpenOption.READ);
                streams.add(in);
                SegmentPlan.Part part = plan.parts().get(i);
                parts.add(new Mp3Stitcher.Part(in, part.keepFrom(), part.keepBefore()));
            }
            result = Mp3Stitcher.stitch(parts, out);
        } finally {
            for (FileChannel in : streams) {
                in.close();
            }
        }
        assertThat(result.overflows()).isZero();
        assertThat(result.bytes()).isEqualTo(Files.size(stitched));

        Path single = SegmentAudio.singlePass(source, dir.resolve("single.mp3"), cliArgs);
        float[] pcm = SegmentAudio.decode(source);
        SegmentAudio.Quality segmented = SegmentAudio.compare(pcm, SegmentAudio.decode(stitched), channels, rate);
        SegmentAudio.Quality reference = SegmentAudio.compare(pcm, SegmentAudio.decode(single), channels, rate);
        System.out.printf("%s: segmented %s, single pass %s, splices moved %s%n", cliArgs, segmented, reference,
                result.shifts());
        assertThat(segmented.lengthDifference()).as("length against the source").isLessThanOrEqualTo(1152);
        assertThat(result.samples()).isEqualTo(segmented.frames());
        assertThat(segmented.snr()).isGreaterThanOrEqualTo(reference.snr() - 1.0);
        assertThat(segmented.worstWindowSnr()).isGreaterThanOrEqualTo(reference.worstWindowSnr() - 3.0);
        assertThat(reference.snr()).as("the reference is a real encode of a real signal").isGreaterThan(10);
    }

    static Segment unit(SegmentPlan.Part part, int rate) {
        return Segment.encode("job", part.index(), 1, rate, part.startSample(), part.endSample(), part.keepFrom(),
                part.keepBefore(), 0);
    }
}
