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
                Uploading a.mp4:      [##------]  25%  1.0 of 4.0 KiB
                Uploading a.mp4:      [######--]  75%  3.0 of 4.0 KiB  1.0 KiB/s  0:01 left
                Uploading a.mp4:      [########] 100%  4.0 of 4.0 KiB  1.0 KiB/s  in 0:04
                """);
    }

    @Test
    void barsOfDifferentTasksLineUpAndSizesReadAlike() {
        ManualClock clock = new ManualClock();
        StringWriter err = new StringWriter();
        try (LineProgress up = new LineProgress(new PrintWriter(err), clock, Duration.ZERO, "Uploading talk.mp4",
                     Progress.Unit.BYTES, 141_107, 0);
             LineProgress conv = new LineProgress(new PrintWriter(err), clock, Duration.ZERO, "Converting talk.mp4",
                     Progress.Unit.PERCENT, 100, 0);
             LineProgress down = new LineProgress(new PrintWriter(err), clock, Duration.ZERO, "Downloading talk.mp3",
                     Progress.Unit.BYTES, 50_000, 0)) {
            up.update(141_107);
            conv.update(100);
            down.update(50_000);
        }
        java.util.List<String> lines = err.toString().lines().toList();
        assertThat(lines).hasSize(3).extracting(line -> line.indexOf('[')).containsOnly("Downloading talk.mp3: ".length());
        assertThat(lines).extracting(line -> line.indexOf(']') - line.indexOf('[')).containsOnly(ProgressText.BAR_WIDTH + 1);
        assertThat(lines.get(0)).contains("137.8 of 137.8 KiB");
        assertThat(lines.get(1)).doesNotContain("/100");
    }

    @Test
    void percentProgressShowsTheStatusAndSkipsRepeats() {
        ManualClock clock = new ManualClock();
        StringWriter err = new StringWriter();
        LineProgress progress = new LineProgress(new PrintWriter(err), clock, Duration.ZERO,
                "Converting a.mp4", Progress.Unit.PERCENT, 100, 0);

        progress.status("QUEUED");
        progress.update(0);
        clock.now = clock.now.plusSeconds(5);
        progress.status("CONVERTING");
        progress.update(20);
        clock.now = clock.now.plusSeconds(2);
        progress.update(40);
        progress.update(40);
        clock.now = clock.now.plusSeconds(6);
        progress.status("DONE");
        progress.update(100);
        progress.close();

        // time left from the rate since the first percent, not since the job was queued
        assertThat(err.toString()).isEqualTo("""
                Converting a.mp4:     [--------]   0%  QUEUED
                Converting a.mp4:     [#-------]  20%  CONVERTING
                Converting a.mp4:     [###-----]  40%  CONVERTING  0:06 left
                Converting a.mp4:     [########] 100%  DONE  in 0:13
                """);
    }
}
