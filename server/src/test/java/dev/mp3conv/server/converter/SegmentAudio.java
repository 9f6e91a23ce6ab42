package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Audio for the segment tests, made and measured with the system ffmpeg: a source with sweeps,
 * tones and noise (never silence), decoding to PCM, and the signal-to-noise ratio of a decoded MP3
 * against the decoded source, over the whole file and in its worst 100 ms window.
 */
final class SegmentAudio {
    private SegmentAudio() {
    }

    /** What a decoded MP3 looks like against the source. */
    record Quality(double snr, double worstWindowSnr, long frames, long sourceFrames) {
        long lengthDifference() {
            return Math.abs(frames - sourceFrames);
        }
    }

    /**
     * A Matroska file with FLAC audio (lossless, so "the source" is exact) of two chirps, a tone
     * switching pitch and pink noise, and a tiny picture so it is a video.
     *
     * @param dir     where
     * @param seconds duration
     * @param rate    sample rate
     * @param stereo  two channels, else mono
     * @return the file
     */
    static Path source(Path dir, int seconds, int rate, boolean stereo) throws IOException {
        return make(dir.resolve("source-" + seconds + "-" + rate + (stereo ? "-stereo" : "-mono") + ".mkv"), seconds,
                rate, stereo, "flac");
    }

    /**
     * The same signal as {@link #source} encoded straight to AAC in an MP4, as a recorder writes it: every
     * packet's timestamp is its first sample's number, so a segment seeks into it and the check agrees.
     *
     * @param dir     where
     * @param seconds duration
     * @param rate    sample rate
     * @return the file
     */
    static Path aacMp4(Path dir, int seconds, int rate) throws IOException {
        return make(dir.resolve("aac-" + seconds + "-" + rate + ".mp4"), seconds, rate, true, "aac");
    }

    private static Path make(Path file, int seconds, int rate, boolean stereo, String codec) throws IOException {
        String left = "0.25*sin(2*PI*(100+150*mod(t\\,7))*t)+0.15*sin(2*PI*(if(lt(mod(t\\,3)\\,1.5)\\,660\\,1320))*t)";
        String right = "0.3*sin(2*PI*(2000-120*mod(t\\,11))*t)+0.1*sin(2*PI*440*t)";
        String expr = stereo ? left + "|" + right : left;
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i", "aevalsrc=" + expr + ":s=" + rate + ":d=" + seconds,
                "-f", "lavfi", "-i", "anoisesrc=d=" + seconds + ":c=pink:r=" + rate + ":a=0.08:seed=7",
                "-f", "lavfi", "-i", "testsrc=size=64x48:rate=1:duration=" + seconds,
                "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0[a]", "-map", "[a]", "-map", "2:v",
                "-ac", stereo ? "2" : "1", "-c:a", codec));
        if (codec.equals("aac")) {
            args.addAll(List.of("-b:a", "192k"));
        }
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", file.toString()));
        ffmpeg(args.toArray(String[]::new));
        return file;
    }

    /**
     * The same source as an MP4 with ALAC audio (lossless too), remuxed from the Matroska: its packets keep the
     * Matroska's millisecond timestamps, re-expressed in samples ({@code stts} durations 4075/4096/4097), so the
     * sample counted at 10 s carries a timestamp about 20 samples ahead. Its segments are planned to seek (an MP4)
     * and the check turns them back to counting.
     *
     * @param source a file made by {@link #source}
     * @return the MP4 beside it
     */
    static Path mp4(Path source) throws IOException {
        Path file = source.resolveSibling(source.getFileName().toString().replaceFirst("\\.mkv$", ".mp4"));
        ffmpeg("-i", source.toString(), "-map", "0", "-c:v", "copy", "-c:a", "alac", file.toString());
        return file;
    }

    /** A single-pass encode with the CLI, the reference a segmented file is held to. */
    static Path singlePass(Path source, Path out, List<String> codecArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("-i", source.toString(), "-map", "0:a:0", "-c:a", "libmp3lame"));
        args.addAll(codecArgs);
        args.add(out.toString());
        ffmpeg(args.toArray(String[]::new));
        return out;
    }

    /** Decoded samples, interleaved, as floats. */
    static float[] decode(Path file) throws IOException {
        Path pcm = Files.createTempFile(file.getParent(), "pcm-", ".f32");
        try {
            ffmpeg("-i", file.toString(), "-map", "0:a:0", "-f", "f32le", "-c:a", "pcm_f32le", pcm.toString());
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(pcm)).order(ByteOrder.LITTLE_ENDIAN);
            float[] samples = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(samples);
            return samples;
        } finally {
            Files.deleteIfExists(pcm);
        }
    }

    /**
     * Compares a decoded MP3 with the decoded source.
     *
     * @param source   source samples
     * @param mp3      MP3 samples
     * @param channels channels
     * @param rate     sample rate
     * @return the quality
     */
    static Quality compare(float[] source, float[] mp3, int channels, int rate) {
        int n = Math.min(source.length, mp3.length);
        double signal = 0;
        double noise = 0;
        int window = rate / 10 * channels;
        double worst = Double.POSITIVE_INFINITY;
        for (int start = 0; start + window <= n; start += window) {
            double s = 0;
            double e = 0;
            for (int i = start; i < start + window; i++) {
                double d = source[i] - mp3[i];
                s += (double) source[i] * source[i];
                e += d * d;
            }
            signal += s;
            noise += e;
            worst = Math.min(worst, snr(s, e));
        }
        return new Quality(snr(signal, noise), worst, mp3.length / channels, source.length / channels);
    }

    private static double snr(double signal, double noise) {
        return 10 * Math.log10(signal / Math.max(noise, 1e-20));
    }

    static void ffmpeg(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(command + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
