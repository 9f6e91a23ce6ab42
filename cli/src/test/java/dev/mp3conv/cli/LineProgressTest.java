package dev.mp3conv.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LineProgressTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void printsAtMostOneLinePerIntervalAndAlwaysTheLast() {
        ManualClock clock = new ManualClock();
        StringWriter err = new StringWriter();
        LineProgress progress = new LineProgress(new PrintWriter(err), clock, Duration.ofSeconds(3),
                "Uploading a.mp4", Progress.Unit.BYTES, 4096, 0);

        progress.update(1024);
        clock.now = clock.now.plusSeconds(1);
        progress.update(2048);
        clock.now = clock.now.plusSeconds(2);
        progress.update(3072);
        clock.now = clock.now.plusSeconds(1);
        progress.update(4096);
        progress.close();

        assertThat(err.toString()).isEqualTo("""
                Uploading a.mp4: 1.0 KiB of 4.0 KiB (25%)
                Uploading a.mp4: 3.0 KiB of 4.0 KiB (75%), 1.0 KiB/s, 1s left
                Uploading a.mp4: 4.0 KiB of 4.0 KiB (100%)
                """);
    }

    @Test
    void aResumedTransferShowsTheSpeedOfThisRunOnly() {
        ManualClock clock = new ManualClock();
        StringWriter err = new StringWriter();
        LineProgress progress = new LineProgress(new PrintWriter(err), clock, Duration.ofSeconds(3),
                "Uploading a.mp4", Progress.Unit.BYTES, 100L << 20, 40L << 20);
        clock.now = clock.now.plusSeconds(10);
        progress.update(50L << 20);
        assertThat(err.toString()).isEqualTo("Uploading a.mp4: 50.0 MiB of 100.0 MiB (50%), 1.0 MiB/s, 50s left\n");
        assertThat(LineProgress.duration(3725)).isEqualTo("1h 2m");
        assertThat(LineProgress.duration(90)).isEqualTo("1m 30s");
    }

    @Test
    void percentProgressShowsTheStatusAndSkipsRepeats() {
        ManualClock clock = new ManualClock();
        StringWriter err = new StringWriter();
        LineProgress progress = new LineProgress(new PrintWriter(err), clock, Duration.ZERO,
                "Converting a.mp4", Progress.Unit.PERCENT, 100, 0);

        progress.status("QUEUED");
        progress.update(0);
        progress.status("CONVERTING");
        progress.update(40);
        progress.update(40);
        progress.close();

        assertThat(err.toString()).isEqualTo("""
                Converting a.mp4: QUEUED 0%
                Converting a.mp4: CONVERTING 0%
                Converting a.mp4: CONVERTING 40%
                """);
    }
}
