package dev.mp3conv.server.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Inputs for the cluster tests, made with the system ffmpeg (lavfi sine + testsrc); no fixtures. */
final class Samples {
    private static final String FFMPEG = "/usr/bin/ffmpeg";

    private Samples() {
    }

    /** A small H.264/AAC MP4 (160x120) with {@code seconds} of a sine tone. */
    static byte[] smallVideo(Path dir, int seconds) throws IOException {
        return make(dir.resolve("small-" + seconds + ".mp4"), "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=" + seconds,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest");
    }

    /**
     * A long video at a tiny resolution with FLAC audio: small to upload, seconds of MP3 encoding, so a
     * test can act while it converts.
     */
    static byte[] longVideo(Path dir, int seconds) throws IOException {
        return make(dir.resolve("long-" + seconds + ".mkv"), "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=64x48:rate=1:duration=" + seconds,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac", "-shortest");
    }

    /** A 320x240 H.264/AAC Matroska video at 800 kb/s with {@code seconds} of a sine tone: a few MB for 40 s. */
    static byte[] talk(Path dir, int seconds) throws IOException {
        return make(dir.resolve("talk.mkv"), "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=44100:duration=" + seconds,
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=" + seconds,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "800k", "-c:a", "aac", "-shortest");
    }

    /** {@code seconds} of stereo silence as FLAC: small to upload, long to encode. */
    static byte[] silence(Path dir, int seconds) throws IOException {
        return make(dir.resolve("silence-" + seconds + ".flac"), "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo",
                "-t", String.valueOf(seconds), "-c:a", "flac");
    }

    /** Video without any audio stream. */
    static byte[] videoOnly(Path dir) throws IOException {
        return make(dir.resolve("video-only.mp4"), "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=3",
                "-c:v", "libx264", "-preset", "ultrafast");
    }

    /** The first half of an MP4 whose moov atom is at the end: no playable index. */
    static byte[] truncated(Path dir) throws IOException {
        byte[] whole = smallVideo(dir, 3);
        return Arrays.copyOf(whole, whole.length / 2);
    }

    static byte[] randomBytes(long seed) {
        byte[] bytes = new byte[64 * 1024];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] make(Path target, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(FFMPEG, "-v", "error", "-nostdin", "-y"));
        command.addAll(List.of(args));
        command.add(target.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(command + " failed: " + out);
            }
            return Files.readAllBytes(target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
