package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Inputs for the hostile-media tests, made here with the system ffmpeg or written byte by byte: one
 * small file per container an upload may be, and files that make ffmpeg read other inputs or claim
 * more audio than they hold.
 */
final class HostileSamples {
    static final double SECONDS = 4.0;
    private static final String SINE = "sine=frequency=440:sample_rate=44100:duration=" + SECONDS;
    private static final String PICTURE = "testsrc=size=64x48:rate=10:duration=" + SECONDS;

    private HostileSamples() {
    }

    /** One 4-second file per accepted container (name → file), audio with a small picture where the container has one. */
    static Map<String, Path> containers(Path dir) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("mp4", av(dir, "h264-aac.mp4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"));
        files.put("mov", av(dir, "h264-aac.mov", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"));
        files.put("3gp", av(dir, "h263-aac.3gp", "-c:v", "h263", "-s", "176x144", "-c:a", "aac", "-ac", "1", "-ar", "16000"));
        files.put("mkv", av(dir, "h264-vorbis.mkv", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libvorbis"));
        files.put("webm", av(dir, "vp8-opus.webm", "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus"));
        files.put("avi", av(dir, "mpeg4-mp3.avi", "-c:v", "mpeg4", "-c:a", "libmp3lame"));
        files.put("mpegts", av(dir, "mpeg2-mp2.ts", "-c:v", "mpeg2video", "-r", "25", "-c:a", "mp2"));
        files.put("mpeg-ps", av(dir, "mpeg1-mp2.mpg", "-c:v", "mpeg1video", "-r", "25", "-c:a", "mp2"));
        files.put("flv", av(dir, "flv1-mp3.flv", "-c:v", "flv", "-c:a", "libmp3lame", "-ar", "44100"));
        files.put("wmv", av(dir, "wmv2-wma.wmv", "-c:v", "wmv2", "-c:a", "wmav2"));
        files.put("wav", audio(dir, "pcm.wav", "-c:a", "pcm_s16le"));
        files.put("mp3", audio(dir, "lame.mp3", "-c:a", "libmp3lame", "-b:a", "128k"));
        files.put("m4a", audio(dir, "aac.m4a", "-c:a", "aac"));
        files.put("ogg", audio(dir, "vorbis.ogg", "-c:a", "libvorbis"));
        files.put("opus", audio(dir, "opus.opus", "-c:a", "libopus"));
        files.put("flac", audio(dir, "lossless.flac", "-c:a", "flac"));
        files.put("aac", audio(dir, "adts.aac", "-c:a", "aac"));
        files.put("aiff", audio(dir, "pcm.aiff", "-c:a", "pcm_s16be"));
        files.put("ac3", audio(dir, "dolby.ac3", "-c:a", "ac3"));
        return files;
    }

    /** A real media file the hostile inputs name, so that an ffmpeg following them would convert it. */
    static Path secret(Path dir) throws IOException {
        return audio(dir, "secret.wav", "-c:a", "pcm_s16le");
    }

    static Path segment(Path dir) throws IOException {
        return av(dir, "segment.ts", "-c:v", "mpeg2video", "-c:a", "mp2");
    }

    /** An ffconcat list naming another file by a relative name (the blob store's siblings, before per-job links). */
    static Path concatRelative(Path dir) throws IOException {
        return text(dir.resolve("relative.ffconcat"), "ffconcat version 1.0\nfile 'secret.wav'\nfile 'secret.wav'\n");
    }

    /** An ffconcat list naming a file by absolute path, through subfile. */
    static Path concatSubfile(Path dir, Path secret) throws IOException {
        return text(dir.resolve("subfile.ffconcat"), "ffconcat version 1.0\nfile 'subfile,,start,0,end,0,,:"
                + secret.toAbsolutePath() + "'\noption safe 0\n");
    }

    /** An HLS playlist (no extension needed: ffmpeg probes the content) naming a segment next to it. */
    static Path hlsLocal(Path dir) throws IOException {
        return text(dir.resolve("local-playlist"), hls("segment.ts"));
    }

    /** An HLS playlist naming a segment by absolute file URL. */
    static Path hlsFileUrl(Path dir, Path segment) throws IOException {
        return text(dir.resolve("file-url.m3u8"), hls("file:" + segment.toAbsolutePath()));
    }

    /** An HLS playlist naming a segment on another server. */
    static Path hlsRemote(Path dir, String url) throws IOException {
        return text(dir.resolve("remote.m3u8"), hls(url));
    }

    /** An HLS master playlist whose variant is on another server. */
    static Path hlsMaster(Path dir, String url) throws IOException {
        return text(dir.resolve("master.m3u8"), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=128000\n" + url + "\n");
    }

    /** An HLS playlist whose segment is inlined as a data: URI. */
    static Path hlsData(Path dir, Path segment) throws IOException {
        return text(dir.resolve("data.m3u8"), hls("data:video/mp2t;base64,"
                + Base64.getEncoder().encodeToString(Files.readAllBytes(segment))));
    }

    /** A DASH manifest whose media is on another server. */
    static Path dash(Path dir, String url) throws IOException {
        return text(dir.resolve("manifest.mpd"), """
                <?xml version="1.0"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
                  <Period><AdaptationSet mimeType="audio/mp2t"><Representation id="a" bandwidth="128000">
                    <BaseURL>%s</BaseURL></Representation></AdaptationSet></Period>
                </MPD>
                """.formatted(url));
    }

    /** An SDP description: ffmpeg would open UDP sockets and wait for RTP from anyone. */
    static Path sdp(Path dir) throws IOException {
        return text(dir.resolve("stream.sdp"), "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\n"
                + "m=audio 21234 RTP/AVP 14\na=rtpmap:14 MPA/90000\n");
    }

    /** A PNG picture (image2 and friends: patterns, sequences). */
    static Path png(Path dir) throws IOException {
        return make(dir.resolve("picture.png"), "-f", "lavfi", "-i", "testsrc=size=64x48:duration=0.1", "-frames:v", "1");
    }

    /** A 4-second MP3 (about 33 KB) whose Info header counts frames for {@code hours} hours. */
    static Path mp3Claiming(Path dir, int hours) throws IOException {
        Path mp3 = audio(dir, "claims-" + hours + "h.mp3", "-c:a", "libmp3lame", "-b:a", "64k");
        byte[] bytes = Files.readAllBytes(mp3);
        int tag = indexOf(bytes, "Info".getBytes(StandardCharsets.US_ASCII));
        // "Info", flags (4 bytes, bit 0: frame count present), frame count (4 bytes, big-endian)
        if (tag < 0 || (ByteBuffer.wrap(bytes).getInt(tag + 4) & 1) == 0) {
            throw new IOException("no Info header with a frame count in " + mp3);
        }
        ByteBuffer.wrap(bytes).putInt(tag + 8, (int) ((long) hours * 3600 * 44100 / 1152));
        return Files.write(mp3, bytes);
    }

    /** A 4-second 8 kHz FLAC (about 35 KB) whose STREAMINFO says it holds {@code hours} hours of samples. */
    static Path flacClaiming(Path dir, int hours) throws IOException {
        int rate = 8000;
        Path flac = audio(dir, "claims-" + hours + "h.flac", "-c:a", "flac", "-ar", String.valueOf(rate));
        byte[] bytes = Files.readAllBytes(flac);
        // "fLaC", block header (4), min/max block size (2+2), min/max frame size (3+3): then 64 bits of
        // sample rate (20), channels - 1 (3), bits per sample - 1 (5) and total samples (36)
        ByteBuffer info = ByteBuffer.wrap(bytes);
        long packed = info.getLong(18);
        long total = (long) hours * 3600 * rate;
        info.putLong(18, (packed & ~((1L << 36) - 1)) | total);
        return Files.write(flac, bytes);
    }

    /** FLAC written to a pipe, so its header states no length: {@code seconds} of silence in a few KB. */
    static Path flacWithoutLength(Path dir, int seconds) throws IOException {
        Path target = dir.resolve("silence-" + seconds + "s-no-length.flac");
        run(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                "anullsrc=r=8000:cl=mono", "-t", String.valueOf(seconds), "-c:a", "flac", "-f", "flac", "-"), target);
        return target;
    }

    /** {@code seconds} of stereo silence as FLAC (about 160 bytes a second): slow to encode, quick to upload. */
    static Path silence(Path dir, String name, int seconds) throws IOException {
        return make(dir.resolve(name), "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", String.valueOf(seconds),
                "-c:a", "flac");
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }

    private static String hls(String segment) {
        return "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\n"
                + segment + "\n#EXT-X-ENDLIST\n";
    }

    private static Path av(Path dir, String name, String... codecs) throws IOException {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", SINE, "-f", "lavfi", "-i", PICTURE));
        args.addAll(List.of(codecs));
        args.add("-shortest");
        return make(dir.resolve(name), args.toArray(String[]::new));
    }

    private static Path audio(Path dir, String name, String... codecs) throws IOException {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", SINE));
        args.addAll(List.of(codecs));
        return make(dir.resolve(name), args.toArray(String[]::new));
    }

    private static Path text(Path file, String content) throws IOException {
        return Files.writeString(file, content);
    }

    private static Path make(Path target, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y"));
        command.addAll(List.of(args));
        command.add(target.toString());
        run(command, null);
        return target;
    }

    private static void run(List<String> command, Path stdout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE);
        builder.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process process = builder.start();
        try {
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(command + " failed: " + err);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
