package dev.mp3conv.server.notify;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;

/**
 * The email about a finished job: a subject naming the original file, a plain-text body and the same
 * content as simple HTML. It carries ids, sizes and commands, never a token or a download secret.
 *
 * @param subject subject line
 * @param text    plain-text body
 * @param html    HTML alternative
 */
record JobMail(String subject, String text, String html) {

    /**
     * Composes the mail for a DONE or FAILED job.
     *
     * @param job       the job
     * @param publicUrl how users reach the API ({@code app.public-url})
     * @return the mail
     */
    static JobMail of(Job job, String publicUrl) {
        String file = oneLine(job.filename() == null ? "your video" : job.filename());
        String base = dev.mp3conv.server.AppSettings.withoutTrailingSlashes(publicUrl);
        boolean done = job.state() == JobState.DONE;
        String subject = done ? "Your MP3 of " + file + " is ready" : "Converting " + file + " failed";
        String headline = done
                ? "The MP3 of " + file + " is ready."
                : "The conversion of " + file + " failed: " + (job.error() == null ? "unknown reason" : oneLine(job.error().message()));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("Job", job.id());
        facts.put("File", file);
        if (done) {
            // the course system's clients fetch with /download?fid=<this>
            facts.put("MP3 fid", job.mp3Fid());
            facts.put("MP3 size", size(job.mp3Size()));
        }
        if (job.durationSeconds() != null) {
            facts.put("Duration", duration(job.durationSeconds()));
        }
        String command = "mp3conv download " + job.id();
        String url = base + "/api/v1/jobs/" + job.id() + (done ? "/mp3" : "");

        StringBuilder text = new StringBuilder(headline).append("\n\n");
        facts.forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        if (done) {
            text.append("\nFetch it with:\n\n    ").append(command).append("\n\nor from the API: ").append(url).append('\n');
        } else {
            text.append("\nJob details: ").append(url).append('\n');
        }

        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body><p>").append(escape(headline)).append("</p><table>");
        facts.forEach((k, v) -> html.append("<tr><th align=\"left\">").append(escape(k)).append("</th><td>")
                .append(escape(v)).append("</td></tr>"));
        html.append("</table>");
        if (done) {
            html.append("<p>Fetch it with:</p><pre>").append(escape(command)).append("</pre>");
        }
        html.append("<p><a href=\"").append(escape(url)).append("\">").append(escape(url)).append("</a></p></body></html>");
        return new JobMail(subject, text.toString(), html.toString());
    }

    // a file name is user input: no header folding tricks in the subject
    private static String oneLine(String value) {
        return value.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    static String size(Long bytes) {
        if (bytes == null) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], bytes);
    }

    static String duration(double seconds) {
        long total = Math.round(seconds);
        long hours = total / 3600;
        long minutes = total % 3600 / 60;
        long secs = total % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
                : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
