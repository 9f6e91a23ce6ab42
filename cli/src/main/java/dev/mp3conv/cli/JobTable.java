package dev.mp3conv.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.mp3conv.model.JobView;

/**
 * Renders jobs as text: an aligned table for lists, labelled lines for one job.
 */
final class JobTable {
    private static final String[] HEADERS = {"ID", "FILE", "STATE", "PROGRESS", "SIZE", "AGE", "EXPIRES"};
    private static final int MAX_FILE = 40;

    private JobTable() {
    }

    static String table(List<JobView> jobs, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (JobView job : jobs) {
            rows.add(new String[] {
                job.id(),
                shorten(String.valueOf(job.filename())),
                String.valueOf(job.state()),
                percent(job.progress()),
                Bytes.human(job.size()),
                age(job.createdAt(), now),
                expires(job.expiresAt(), now)
            });
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String details(JobView job, Instant now) {
        StringBuilder text = new StringBuilder();
        line(text, "ID", job.id());
        line(text, "File", job.filename() + " (" + Bytes.human(job.size()) + ")");
        line(text, "State", job.state() + " " + percent(job.progress()));
        if (job.bitrate() != null) {
            line(text, "Bitrate", job.bitrate());
        }
        if (job.quality() != null) {
            line(text, "Quality", job.quality().toString());
        }
        if (job.mp3Size() != null) {
            line(text, "MP3", Bytes.human(job.mp3Size()) + "  (mp3conv download " + job.id() + ")");
        }
        if (job.error() != null) {
            line(text, "Error", job.error().code() + ": " + job.error().message());
            if (job.error().detail() != null) {
                line(text, "Detail", job.error().detail());
            }
        }
        line(text, "Created", job.createdAt() == null ? "-" : job.createdAt() + " (" + age(job.createdAt(), now) + " ago)");
        if (job.videoExpiresAt() != null) {
            line(text, "Video", (job.videoExpiresAt().isAfter(now) ? "kept until " : "deleted at ")
                    + job.videoExpiresAt() + " (" + relative(job.videoExpiresAt(), now) + ")");
        }
        if (job.expiresAt() != null) {
            line(text, "Expires", job.expiresAt() + " (" + relative(job.expiresAt(), now)
                    + (job.expiresAt().isAfter(now) ? "" : ": the MP3 is deleted") + ")");
        }
        return text.toString();
    }

    /** When the MP3 expires, for the table: {@code in 6d}, {@code expired}, or {@code -} while unfinished. */
    static String expires(Instant expiresAt, Instant now) {
        if (expiresAt == null) {
            return "-";
        }
        return expiresAt.isAfter(now) ? "in " + age(now, expiresAt) : "expired";
    }

    private static String relative(Instant when, Instant now) {
        return when.isAfter(now) ? "in " + age(now, when) : age(when, now) + " ago";
    }

    static String age(Instant createdAt, Instant now) {
        if (createdAt == null) {
            return "-";
        }
        Duration age = Duration.between(createdAt, now);
        if (age.isNegative()) {
            age = Duration.ZERO;
        }
        if (age.toSeconds() < 60) {
            return age.toSeconds() + "s";
        }
        if (age.toMinutes() < 60) {
            return age.toMinutes() + "m";
        }
        if (age.toHours() < 48) {
            return age.toHours() + "h";
        }
        return age.toDays() + "d";
    }

    private static void line(StringBuilder text, String label, String value) {
        text.append(String.format("%-9s%s%n", label, value));
    }

    private static String percent(double fraction) {
        return Math.round(Math.max(0, Math.min(1, fraction)) * 100) + "%";
    }

    private static String shorten(String name) {
        return name.length() <= MAX_FILE ? name : name.substring(0, MAX_FILE - 3) + "...";
    }
}
