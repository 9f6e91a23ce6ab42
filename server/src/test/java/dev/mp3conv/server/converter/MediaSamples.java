package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;

/**
 * Small sample inputs made with the system ffmpeg (lavfi sine + testsrc), and ffprobe to check
 * what comes out. No downloaded fixtures.
 */
final class MediaSamples {
    static final String FFMPEG = "/usr/bin/ffmpeg";
    static final String FFPROBE = "/usr/bin/ffprobe";
    static final double SECONDS = 4.0;

    private static final String SINE = "sine=frequency=440:sample_rate=44100:duration=" + SECONDS;
    private static final String VIDEO = "testsrc=size=160x120:rate=10:duration=" + SECONDS;

    private MediaSamples() {
    }

    /** WAV with 96 kHz 5.1 PCM (more than MP3 can hold) and 22.05 kHz mono FLAC (less than most MP3s). */
    static Path surround96k(Path dir) throws IOException {
        return make(dir.resolve("surround-96k.wav"), "-f", "lavfi", "-i", SINE.replace("44100", "96000"),
                "-af", "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0", "-c:a", "pcm_s24le");
    }

    static Path mono22k(Path dir) throws IOException {
        return make(dir.resolve("mono-22k.flac"), "-f", "lavfi", "-i", SINE.replace("44100", "22050"), "-ac", "1");
    }

    /** H.264/AAC stereo MP4 with the moov atom at the end (ffmpeg's default): needs a seekable input. */
    static Path mp4MoovAtEnd(Path dir) throws IOException {
        return make(dir.resolve("moov-at-end.mp4"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest");
    }

    /** An MP4 whose sound stops a second before its picture (the container says 4 s, the audio 3 s). */
    static Path mp4AudioEndsEarly(Path dir) throws IOException {
        return make(dir.resolve("audio-ends-early.mp4"), "-f", "lavfi", "-i", SINE.replace("duration=" + SECONDS,
                "duration=" + (SECONDS - 1)), "-f", "lavfi", "-i", VIDEO, "-ac", "2", "-c:v", "libx264",
                "-preset", "ultrafast", "-c:a", "aac");
    }

    /** The same with the moov atom first. */
    static Path mp4FastStart(Path dir) throws IOException {
        return make(dir.resolve("faststart.mp4"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-movflags", "+faststart");
    }

    /** A faststart MP4 with the tags a phone or an editor writes, and one more that the MP3 must not get. */
    static Path mp4WithTags(Path dir) throws IOException {
        return make(dir.resolve("tagged.mp4"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-movflags", "+faststart",
                "-metadata", "title=Talk = Part; #1", "-metadata", "artist=Ann Example", "-metadata", "date=2026",
                "-metadata", "comment=first line\nsecond", "-metadata", "copyright=nobody");
    }

    /** Matroska with MP3 audio (128k): the stream-copy case. */
    static Path mkvWithMp3(Path dir) throws IOException {
        return make(dir.resolve("mp3-audio.mkv"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libmp3lame", "-b:a", "128k", "-shortest");
    }

    /** WebM with VP9 video and Opus audio (48 kHz mono). */
    static Path webm(Path dir) throws IOException {
        return make(dir.resolve("vp9-opus.webm"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-shortest");
    }

    /** AVI with PCM audio. */
    static Path aviPcm(Path dir) throws IOException {
        return make(dir.resolve("pcm.avi"), "-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", VIDEO,
                "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-shortest");
    }

    /** Video without any audio stream. */
    static Path videoOnly(Path dir) throws IOException {
        return make(dir.resolve("video-only.mp4"), "-f", "lavfi", "-i", VIDEO, "-c:v", "libx264", "-preset", "ultrafast");
    }

    /** Long stereo 48 kHz audio (FLAC, small on disk) that takes seconds to encode: for kill and timeout tests. */
    static Path longAudio(Path dir, int seconds) throws IOException {
        return make(dir.resolve("long-" + seconds + ".flac"), "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds, "-ac", "2", "-c:a", "flac");
    }

    /** The first {@code fraction} of a file, as an upload cut off mid-way would leave it. */
    static Path truncated(Path source, Path target, double fraction) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        return Files.write(target, java.util.Arrays.copyOf(bytes, (int) (bytes.length * fraction)));
    }

    /** Random bytes from a fixed seed (so ffmpeg's verdict on them is the same every run). */
    static Path randomBytes(Path dir) throws IOException {
        byte[] bytes = new byte[64 * 1024];
        new Random(42).nextBytes(bytes);
        return Files.write(dir.resolve("random.bin"), bytes);
    }

    static Path zeroBytes(Path dir) throws IOException {
        return Files.write(dir.resolve("empty.mp4"), new byte[0]);
    }

    private static Path make(Path target, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(FFMPEG, "-v", "error", "-nostdin", "-y"));
        command.addAll(List.of(args));
        command.add(target.toString());
        run(command);
        return target;
    }

    /**
     * ffprobe's view of a file: {@code format} and {@code streams}.
     *
     * @param file the file
     * @return parsed JSON
     */
    static JsonNode probe(Path file) throws IOException {
        String json = run(List.of(FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                file.toString()));
        return Json.mapper().readTree(json);
    }

    static JsonNode firstAudio(JsonNode probe) {
        for (JsonNode stream : probe.path("streams")) {
            if ("audio".equals(stream.path("codec_type").asText())) {
                return stream;
            }
        }
        throw new AssertionError("no audio stream in " + probe);
    }

    /** MD5 of the audio packets (not decoded samples): equal for a bit-exact stream copy. */
    static String audioPacketsMd5(Path file) throws IOException {
        return run(List.of(FFMPEG, "-v", "error", "-nostdin", "-i", file.toString(), "-map", "0:a:0", "-c", "copy",
                "-f", "md5", "-")).trim();
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(command + " failed: " + err);
            }
            return new String(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
