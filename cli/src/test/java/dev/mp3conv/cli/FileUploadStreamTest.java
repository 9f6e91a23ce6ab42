package dev.mp3conv.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FileUploadStreamTest {
    @TempDir
    Path dir;

    @Test
    void markAndResetMoveTheFilePositionAndSkipSeeks() throws Exception {
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        Path file = Files.write(dir.resolve("v.mp4"), data);
        try (InputStream in = new FileUploadStream(file, 0)) {
            assertThat(in.markSupported()).isTrue();
            assertThat(in.skip(100_000)).isEqualTo(100_000);
            in.mark(Integer.MAX_VALUE);
            byte[] first = in.readNBytes(150_000);
            assertThat(first).isEqualTo(Arrays.copyOfRange(data, 100_000, 250_000));
            in.reset();
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 100_000, data.length));
            assertThat(in.skip(10)).isZero();
        }
    }

    @Test
    void aRateLimitHoldsTheAverageAtOrBelowTheRate() throws Exception {
        Path file = Files.write(dir.resolve("v.mp4"), new byte[256 * 1024]);
        long start = System.nanoTime();
        try (InputStream in = new FileUploadStream(file, 512 * 1024)) {
            assertThat(in.readAllBytes()).hasSize(256 * 1024);
        }
        // half a second's worth at the rate: it cannot take less (it may take more on a busy machine)
        assertThat((System.nanoTime() - start) / 1e9).isGreaterThanOrEqualTo(0.45);
    }

    @Test
    void sizesParseAsCurlsOptionsDo() {
        assertThat(Bytes.parse("2m", "--limit-rate")).isEqualTo(2L << 20);
        assertThat(Bytes.parse("500K", "--limit-rate")).isEqualTo(500L << 10);
        assertThat(Bytes.parse("1g", "--chunk-size")).isEqualTo(1L << 30);
        assertThat(Bytes.parse("4096", "--chunk-size")).isEqualTo(4096);
        for (String bad : new String[] {"", "0", "2x", "-1", "1.5m", "99999999999999m", "999999999999g"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bytes.parse(bad, "--limit-rate"))
                    .as(bad).isInstanceOf(CliException.class);
        }
    }
}
