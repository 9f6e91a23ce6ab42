package dev.mp3conv.server.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Four distinct small videos (2–4 s of audio, 160x120 picture) made once with the system ffmpeg: MP4 with
 * AAC (index at the end and at the start), Matroska with MP3 audio (the stream-copy path), WebM with Opus.
 */
final class LoadSamples {
    private static final String FFMPEG = "/usr/bin/ffmpeg";

    private LoadSamples() {
    }

    static List<LoadClient.Sample> make(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<LoadClient.Sample> samples = new ArrayList<>();
        samples.add(LoadClient.Sample.of(make(dir.resolve("a.mp4"), 440, 3, "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac")));
        samples.add(LoadClient.Sample.of(make(dir.resolve("b.mp4"), 523, 4, "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac", "-movflags", "+faststart")));
        samples.add(LoadClient.Sample.of(make(dir.resolve("c.mkv"), 659, 2, "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "libmp3lame", "-b:a", "128k")));
        samples.add(LoadClient.Sample.of(make(dir.resolve("d.webm"), 784, 3, "-c:v", "libvpx-vp9", "-deadline", "realtime",
                "-cpu-used", "8", "-c:a", "libopus")));
        return samples;
    }

    private static Path make(Path target, int frequency, int seconds, String... codecs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(FFMPEG, "-v", "error", "-nostdin", "-y",
                "-f", "lavfi", "-i", "sine=frequency=" + frequency + ":sample_rate=44100:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=" + seconds, "-ac", "2", "-shortest"));
        command.addAll(List.of(codecs));
        command.add(target.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("cannot make " + target + " with " + command);
        }
        return target;
    }
}
