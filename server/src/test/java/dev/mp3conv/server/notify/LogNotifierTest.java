package dev.mp3conv.server.notify;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogNotifierTest {
    @Test
    void theLogLineOfADoneJobNamesTheMp3FidForTheSeedDownload() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Job job = new Job("65f0c0ffee0000000000abcd", "u1", "a@example.test", "talk.mp4", "video/mp4", 10, "00", "v1",
                JobState.DONE, 1, null, null, 1.0, 3.0, "65f0c0ffee0000000000ffff", 4096L, null, "192k", null, null,
                now, now, null, null, null, now, now, null, null, null, null, null, null);
        Logger logger = Logger.getLogger(LogNotifier.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(new java.util.logging.SimpleFormatter().formatMessage(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            new LogNotifier().send(job);
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(lines).singleElement().asString()
                .contains("job 65f0c0ffee0000000000abcd done for a@example.test")
                .contains("MP3 fid 65f0c0ffee0000000000ffff")
                .contains("GET /download?fid=65f0c0ffee0000000000ffff")
                .contains("mp3conv download 65f0c0ffee0000000000abcd");
    }
}
