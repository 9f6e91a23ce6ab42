package dev.mp3conv.server.gateway;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The upload hash computed beside the request thread: the same digest as a plain MessageDigest fed
 * the same bytes in any slicing, and no thread left behind.
 */
class BackgroundSha256Test {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 262_143, 262_144, 262_145, 4 * 262_144, 5_000_000})
    void matchesAPlainDigestWhateverTheSlices(int size) throws Exception {
        byte[] data = new byte[size];
        Random random = new Random(size);
        random.nextBytes(data);
        BackgroundSha256 hash = new BackgroundSha256();

        for (int offset = 0; offset < size; ) {
            int n = Math.min(size - offset, 1 + random.nextInt(700_000));
            byte[] slice = java.util.Arrays.copyOfRange(data, offset, offset + n);
            hash.update(slice, 0, n);
            java.util.Arrays.fill(slice, (byte) 0); // the caller reuses its array at once
            offset += n;
        }

        assertThat(hash.hex()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        assertThat(hash.ended()).isTrue();
        assertThatThrownBy(() -> hash.update(data, 0, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void abandoningStopsTheHasherThread() throws Exception {
        BackgroundSha256 hash = new BackgroundSha256();
        hash.update(new byte[1_000_000], 0, 1_000_000);
        assertThat(hash.thread().isAlive()).isTrue();

        hash.abandon();
        hash.abandon();

        assertThat(hash.thread().join(Duration.ofSeconds(10))).as("hasher ended").isTrue();
        assertThatThrownBy(hash::hex).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void takingTheHashEndsTheHasherThread() throws Exception {
        BackgroundSha256 hash = new BackgroundSha256();
        hash.update(new byte[10], 0, 10);

        hash.hex();

        assertThat(hash.thread().isAlive()).isFalse();
    }
}
