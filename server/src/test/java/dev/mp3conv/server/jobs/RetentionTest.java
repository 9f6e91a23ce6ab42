package dev.mp3conv.server.jobs;

import java.time.Duration;
import java.util.Map;

import dev.mp3conv.server.Settings;
import dev.mp3conv.server.http.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionTest {
    @Test
    void keepTakesWholeSecondsMinutesHoursDays() {
        assertThat(Retention.parseKeep("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Retention.parseKeep("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Retention.parseKeep(" 1H ")).isEqualTo(Duration.ofHours(1));
        assertThat(Retention.parseKeep("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Retention.parseKeep(null)).isNull();
        assertThat(Retention.parseKeep(" ")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0h", "-1h", "1.5h", "1w", "1h30m", "PT1H", "h", "1", "01h", "99999999d", "1 h 1",
            "1h\u0000", "１h", "12345678901234567h"})
    void anythingElseIs400(String value) {
        assertThatThrownBy(() -> Retention.parseKeep(value))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status().code()).isEqualTo(400));
    }

    @Test
    void aUserMayAskForShorterNeverLonger() {
        Retention retention = new Retention(Duration.ofHours(24), Duration.ofDays(7), Duration.ofDays(30),
                Duration.ofDays(1));
        assertThat(retention.mp3sFor(null)).isEqualTo(Duration.ofDays(7));
        assertThat(retention.mp3sFor(Duration.ofDays(30))).as("capped").isEqualTo(Duration.ofDays(7));
        assertThat(retention.mp3sFor(Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
        assertThat(retention.videosFor(null)).isEqualTo(Duration.ofHours(24));
        assertThat(retention.videosFor(Duration.ofHours(1))).as("never after the MP3").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsItsConfigNodeWithDefaults() {
        Retention retention = Retention.from(Settings.load(Map.of("RETAIN_VIDEOS", "0", "RETAIN_MP3S", "2h"), Map.of())
                .get("retention"));
        assertThat(retention.videos()).isZero();
        assertThat(retention.mp3s()).isEqualTo(Duration.ofHours(2));
        assertThat(retention.tombstones()).isEqualTo(Duration.ofDays(30));
        assertThat(retention.orphans()).isEqualTo(Duration.ofDays(1));
    }
}
