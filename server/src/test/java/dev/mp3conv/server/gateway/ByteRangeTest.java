package dev.mp3conv.server.gateway;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteRangeTest {
    @Test
    void readsTheThreeSingleRangeForms() {
        assertThat(ByteRange.parse("bytes=0-99", 1000)).contains(new ByteRange(0, 99, 1000));
        assertThat(ByteRange.parse("bytes=900-", 1000)).contains(new ByteRange(900, 999, 1000));
        assertThat(ByteRange.parse("bytes=-100", 1000)).contains(new ByteRange(900, 999, 1000));
        assertThat(ByteRange.parse("Bytes = 10 - 19", 1000)).contains(new ByteRange(10, 19, 1000));
    }

    @Test
    void clipsToTheEnd() {
        assertThat(ByteRange.parse("bytes=990-5000", 1000)).contains(new ByteRange(990, 999, 1000));
        assertThat(ByteRange.parse("bytes=-5000", 1000)).contains(new ByteRange(0, 999, 1000));
        assertThat(ByteRange.parse("bytes=0-99", 1000).map(ByteRange::size)).contains(100L);
        assertThat(ByteRange.parse("bytes=0-99", 1000).map(ByteRange::contentRange)).contains("bytes 0-99/1000");
    }

    @Test
    void ignoresWhatItDoesNotServe() {
        assertThat(ByteRange.parse("bytes=0-1,5-6", 1000)).isEqualTo(Optional.empty());
        assertThat(ByteRange.parse("items=0-1", 1000)).isEmpty();
        assertThat(ByteRange.parse("bytes=-", 1000)).isEmpty();
        assertThat(ByteRange.parse("bytes=50-10", 1000)).isEmpty();
    }

    @Test
    void refusesRangesOutsideTheFile() {
        assertThatThrownBy(() -> ByteRange.parse("bytes=1000-", 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=-0", 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=99999999999999999999-", 1000))
                .isInstanceOf(ByteRange.Unsatisfiable.class);
    }
}
