package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.model.Mp3Options;
import dev.mp3conv.server.jobs.Job;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/**
 * The audio options (issue 23) through the whole converter, judged by probing the MP3s that come out with
 * ffmpeg/ffprobe: EBU R128 loudness and true peak (ffmpeg's {@code ebur128}), duration, the attached picture
 * stream, channels, sample rate and tags; CBR and VBR; through the segment-parallel path (threshold lowered
 * to 20 s) with the loudness measured over the whole input. Every input is made here with ffmpeg and lasts
 * seconds.
 */
class AudioOptionsConversionIT {
    private static final Pattern INTEGRATED = Pattern.compile("^\\s*I:\\s+(-?[\\d.]+) LUFS$", Pattern.MULTILINE);
    private static final Pattern PEAK = Pattern.compile("^\\s*Peak:\\s+(-?[\\d.]+|-inf) dBFS$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private ConverterTestServer server;

    @BeforeEach
    void start() {
        server = new ConverterTestServer(dir.resolve("data"), Map.of("converter.segment-threshold", "20s",
                "converter.segments", "4"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void loudnessWithCbrIsWithinOneLuOfTheTargetByALinearGain() throws Exception {
        // a quiet talk: -20 dBFS tone plus noise, far under -16 LUFS, with room under the peak ceiling
        Path source = make("quiet.mp4", "-f", "lavfi", "-i",
                "aevalsrc=0.1*sin(2*PI*330*t)+0.02*(random(0)-0.5):s=44100:d=8", "-f", "lavfi", "-i",
                "testsrc=size=160x120:rate=5:duration=8", "-c:a", "aac", "-b:a", "128k", "-c:v", "libx264", "-shortest");
        Job done = done(server.submit(source, options("bitrate", "128k", "loudness", "-16")));

        double[] out = ebur128(server.mp3File(done));
        assertThat(out[0]).as("integrated loudness of the MP3").isCloseTo(-16.0, offset(1.0));
        assertThat(out[1]).as("true peak of the MP3").isLessThanOrEqualTo(-1.5);
        LoudnessReport report = done.loudness();
        assertThat(report.limited()).isFalse();
        assertThat(report.inputLufs()).isCloseTo(ebur128(source)[0], offset(0.2));
        assertThat(report.gainDb()).isCloseTo(-16.0 - report.inputLufs(), offset(0.01));
        assertThat(report.outputLufs()).isCloseTo(out[0], offset(0.2));
        assertThat(report.outputTruePeakDbtp()).isCloseTo(out[1], offset(0.2));
        assertThat(done.bitrate()).isEqualTo("128k");
        assertThat(MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(done))).path("bit_rate").asLong())
                .isEqualTo(128_000);
    }

    @Test
    void loudnessWithVbrWhosePeaksForbidTheGainIsLimitedUnderTheCeiling() throws Exception {
        // clicks near full scale over a quiet tone: +10 dB of gain would clip them
        Path source = make("peaky.wav", "-f", "lavfi", "-i",
                "aevalsrc=0.05*sin(2*PI*440*t)+if(lt(mod(t\\,1)\\,0.002)\\,0.9\\,0):s=44100:d=10", "-c:a", "pcm_s16le");
        Job done = done(server.submit(source, options("quality", "4", "loudness", "-16")));

        double[] out = ebur128(server.mp3File(done));
        assertThat(done.loudness().limited()).isTrue();
        assertThat(out[0]).isCloseTo(-16.0, offset(1.0));
        assertThat(out[1]).isLessThanOrEqualTo(-1.5);
        assertThat(done.bitrate()).as("VBR").isNull();
        assertThat(MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(done))).path("sample_rate").asInt())
                .as("the limiter's oversampling returns to the source's rate").isEqualTo(44100);
    }

    @Test
    void aTrimFromTenToTwentyFiveSecondsLastsFifteen() throws Exception {
        Path source = make("thirty.mp4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=30",
                "-c:a", "aac");
        for (Mp3Options asked : List.of(options("start", "10", "end", "0:25"), options("start", "0:00:10.000",
                "end", "25", "quality", "2"))) {
            Job done = done(server.submit(source, asked));
            assertThat(decodedSeconds(server.mp3File(done))).as("%s", asked).isCloseTo(15.0, offset(0.05));
            assertThat(done.error()).isNull();
        }
        Job fromTwenty = done(server.submit(source, options("start", "20")));
        assertThat(decodedSeconds(server.mp3File(fromTwenty))).isCloseTo(10.0, offset(0.05));
    }

    @Test
    void aTrimThatStartsPastTheEndFailsAsInvalidOptions() throws Exception {
        Path source = make("short.mp4", "-f", "lavfi", "-i", "sine=duration=4", "-c:a", "aac");
        for (Mp3Options asked : List.of(options("start", "1:00"), options("start", "10", "loudness", "-16"))) {
            Job failed = server.awaitFinished(server.submit(source, asked));
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.error().code()).isEqualTo("invalid-options");
            assertThat(failed.error().message()).contains("past the end of the audio");
        }
    }

    @Test
    void theMeasurementPassKeepsTheDurationLimit() throws Exception {
        // a few KB claiming 13 hours: refused from the measurement run's summary, as the conversion would be
        Path claim = HostileSamples.mp3Claiming(dir, 13);
        long started = System.nanoTime();
        Job failed = server.awaitFinished(server.submit(claim, options("loudness", "-16", "cover", "true")));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("too-long");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(20));
    }

    @Test
    void coverIsTheSourcesPictureElseAVideoFrameAsASmallJpeg() throws Exception {
        Path picture = make("big.png", "-f", "lavfi", "-i", "color=c=red:size=1200x800:duration=1", "-frames:v", "1");
        Path withArt = make("art.m4a", "-f", "lavfi", "-i", "sine=duration=3", "-i", picture.toString(),
                "-map", "0", "-map", "1", "-c:a", "aac", "-c:v", "png", "-disposition:v", "attached_pic");
        Job art = done(server.submit(withArt, options("cover", "true")));
        JsonNode pic = picture(server.mp3File(art));
        assertThat(pic.path("codec_name").asText()).isEqualTo("mjpeg");
        assertThat(List.of(pic.path("width").asInt(), pic.path("height").asInt())).containsExactly(600, 400);
        assertThat(redness(server.mp3File(art))).as("the source's own red picture").isGreaterThan(0.8);

        Path video = make("video.mp4", "-f", "lavfi", "-i", "sine=duration=5", "-f", "lavfi", "-i",
                "color=c=blue:size=320x240:rate=5:duration=5", "-c:a", "aac", "-c:v", "libx264", "-shortest");
        JsonNode frame = picture(server.mp3File(done(server.submit(video, options("cover", "true")))));
        assertThat(frame.path("codec_name").asText()).isEqualTo("mjpeg");
        assertThat(List.of(frame.path("width").asInt(), frame.path("height").asInt())).containsExactly(320, 240);

        Path audioOnly = make("plain.wav", "-f", "lavfi", "-i", "sine=duration=3", "-c:a", "pcm_s16le");
        Job none = done(server.submit(audioOnly, options("cover", "true")));
        assertThat(MediaSamples.probe(server.mp3File(none)).path("streams")).hasSize(1);
        Job notAsked = done(server.submit(withArt, Mp3Options.NONE));
        assertThat(MediaSamples.probe(server.mp3File(notAsked)).path("streams")).as("no cover unless asked").hasSize(1);
    }

    @Test
    void anMp3SourceIsStillCopiedWhenOnlyTagsAndTheCoverAreAsked() throws Exception {
        Path source = make("song.mp3", "-f", "lavfi", "-i", "sine=duration=4", "-f", "lavfi", "-i",
                "color=c=green:size=900x900:duration=1", "-map", "0", "-map", "1", "-frames:v", "1", "-c:a", "libmp3lame",
                "-b:a", "160k", "-c:v", "mjpeg", "-disposition:v", "attached_pic", "-metadata", "album=Demo");
        Job done = done(server.submit(source, options("cover", "true", "title", "New \u00e9 title", "artist", "Ada")));
        Path mp3 = server.mp3File(done);
        assertThat(MediaSamples.audioPacketsMd5(mp3)).as("audio copied bit for bit")
                .isEqualTo(MediaSamples.audioPacketsMd5(source));
        JsonNode tags = MediaSamples.probe(mp3).path("format").path("tags");
        assertThat(tags.path("title").asText()).isEqualTo("New \u00e9 title");
        assertThat(tags.path("artist").asText()).isEqualTo("Ada");
        assertThat(tags.path("album").asText()).isEqualTo("Demo");
        assertThat(List.of(picture(mp3).path("width").asInt(), picture(mp3).path("height").asInt()))
                .containsExactly(600, 600);
    }

    @Test
    void channelsAndSampleRateAreWhatWasAsked() throws Exception {
        Path source = make("stereo.mp4", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
                "-ac", "2", "-c:a", "aac");
        Job monoJob = done(server.submit(source, options("channels", "mono", "sample_rate", "22050", "bitrate", "64k")));
        JsonNode mono = MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(monoJob)));
        assertThat(mono.path("channels").asInt()).isEqualTo(1);
        assertThat(mono.path("sample_rate").asInt()).isEqualTo(22050);
        Path monoSource = make("mono.wav", "-f", "lavfi", "-i", "sine=sample_rate=32000:duration=3", "-c:a", "pcm_s16le");
        Job stereoJob = done(server.submit(monoSource, options("channels", "stereo", "sample_rate", "48000")));
        JsonNode stereo = MediaSamples.firstAudio(MediaSamples.probe(server.mp3File(stereoJob)));
        assertThat(stereo.path("channels").asInt()).isEqualTo(2);
        assertThat(stereo.path("sample_rate").asInt()).isEqualTo(48000);
    }

    @Test
    void tagsAreCarriedCleanFromTheSourceAndTitleAndArtistOverrideThem() throws Exception {
        Path source = make("tagged.mp4", "-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac",
                "-metadata", "title=Source title", "-metadata", "artist=Source artist", "-metadata", "album=Album\u0007",
                "-metadata", "date=2026", "-metadata", "comment=Recorded live", "-metadata", "encoder=leaks",
                "-metadata", "copyright=not carried");
        JsonNode carried = MediaSamples.probe(server.mp3File(done(server.submit(source, Mp3Options.NONE))))
                .path("format").path("tags");
        assertThat(carried.path("title").asText()).isEqualTo("Source title");
        assertThat(carried.path("artist").asText()).isEqualTo("Source artist");
        assertThat(carried.path("album").asText()).isEqualTo("Album");
        assertThat(carried.path("date").asText()).isEqualTo("2026");
        assertThat(carried.path("comment").asText()).isEqualTo("Recorded live");
        assertThat(carried.has("copyright") || carried.has("encoder") || carried.has("major_brand")).isFalse();

        JsonNode overridden = MediaSamples.probe(server.mp3File(done(server.submit(source,
                options("title", "Mine", "artist", "Me"))))).path("format").path("tags");
        assertThat(overridden.path("title").asText()).isEqualTo("Mine");
        assertThat(overridden.path("artist").asText()).isEqualTo("Me");
        assertThat(overridden.path("album").asText()).isEqualTo("Album");
    }

    @Test
    void aLongInputIsSegmentedWithOneGainMeasuredOverTheWholeInput() throws Exception {
        // a quiet first half and a half 16 dB louder: a gain measured per segment would level them
        Path source = make("long.mp4", "-f", "lavfi", "-i",
                "aevalsrc=if(lt(t\\,25)\\,0.016\\,0.1)*sin(2*PI*440*t)|if(lt(t\\,25)\\,0.016\\,0.1)*sin(2*PI*554*t)"
                        + ":s=44100:d=50",
                "-f", "lavfi", "-i", "color=c=white:size=160x120:rate=2:duration=50", "-c:a", "aac", "-b:a", "160k",
                "-c:v", "libx264", "-shortest", "-metadata", "title=Long talk");
        String id = server.submit(source, options("loudness", "-18", "cover", "true", "artist", "Speaker"));
        Job done = done(id);
        assertThat(jobDocument(id).getInteger("segments")).as("converted in segments").isEqualTo(4);
        assertThat(done.loudness().limited()).isFalse();
        assertThat(done.loudness().inputLufs()).as("measured over the whole input")
                .isCloseTo(ebur128(source)[0], offset(0.2));

        Path mp3 = server.mp3File(done);
        double[] out = ebur128(mp3);
        assertThat(out[0]).isCloseTo(-18.0, offset(1.0));
        assertThat(out[1]).isLessThanOrEqualTo(-1.5);
        double quiet = ebur128(part(mp3, 2, 20))[0];
        double loud = ebur128(part(mp3, 30, 20))[0];
        assertThat(loud - quiet).as("the halves keep their difference").isCloseTo(ebur128(part(source, 30, 20))[0]
                - ebur128(part(source, 2, 20))[0], offset(0.5));
        assertThat(decodedSeconds(mp3)).isCloseTo(50.0, offset(0.05));
        JsonNode format = MediaSamples.probe(mp3).path("format").path("tags");
        assertThat(format.path("title").asText()).isEqualTo("Long talk");
        assertThat(format.path("artist").asText()).isEqualTo("Speaker");
        assertThat(picture(mp3).path("codec_name").asText()).isEqualTo("mjpeg");
        assertThat(done.loudness().outputLufs()).isCloseTo(out[0], offset(0.2));
    }

    @Test
    void aLongTrimmedInputKeepsTheSingleRun() throws Exception {
        Path source = make("long-trim.mp4", "-f", "lavfi", "-i", "sine=sample_rate=44100:duration=50", "-c:a", "aac");
        String id = server.submit(source, options("start", "5", "end", "48"));
        Job done = done(id);
        assertThat(jobDocument(id).get("segments")).isNull();
        assertThat(decodedSeconds(server.mp3File(done))).isCloseTo(43.0, offset(0.05));
    }

    private Job done(String id) {
        Job job = server.awaitFinished(id);
        assertThat(job.state()).as("error %s", job.error()).isEqualTo(JobState.DONE);
        return job;
    }

    private static Mp3Options options(String... fields) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            map.put(fields[i], fields[i + 1]);
        }
        return Mp3Options.fromFields(map);
    }

    private Path make(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y"));
        command.addAll(List.of(args));
        Path target = dir.resolve(name);
        command.add(target.toString());
        run(command);
        return target;
    }

    private Path part(Path file, double from, double seconds) throws IOException {
        Path target = dir.resolve("part-" + System.nanoTime() + ".wav");
        run(List.of(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-y", "-i", file.toString(), "-map", "0:a:0",
                "-af", "atrim=start=" + from + ":duration=" + seconds, "-c:a", "pcm_s16le", target.toString()));
        return target;
    }

    /** Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by ffmpeg's ebur128 filter. */
    private static double[] ebur128(Path file) throws IOException {
        String log = run(List.of(MediaSamples.FFMPEG, "-hide_banner", "-nostats", "-nostdin", "-i", file.toString(),
                "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"));
        Matcher i = INTEGRATED.matcher(log);
        Matcher p = PEAK.matcher(log);
        assertThat(i.find() && p.find()).as(log).isTrue();
        return new double[] {Double.parseDouble(i.group(1)), Double.parseDouble(p.group(1))};
    }

    /** Seconds of audio a decoder gets (honouring the LAME header's delay and padding). */
    private static double decodedSeconds(Path mp3) throws IOException {
        JsonNode audio = MediaSamples.firstAudio(MediaSamples.probe(mp3));
        String log = run(List.of(MediaSamples.FFMPEG, "-hide_banner", "-nostdin", "-i", mp3.toString(), "-map", "0:a:0",
                "-f", "s16le", "-ac", "1", "-"), true);
        int rate = audio.path("sample_rate").asInt();
        return Long.parseLong(log) / 2.0 / rate;
    }

    private static JsonNode picture(Path mp3) throws IOException {
        for (JsonNode stream : MediaSamples.probe(mp3).path("streams")) {
            if ("video".equals(stream.path("codec_type").asText())) {
                assertThat(stream.path("disposition").path("attached_pic").asInt()).isEqualTo(1);
                return stream;
            }
        }
        throw new AssertionError("no picture in " + mp3);
    }

    /** Share of red in the picture's average colour (decoded to one RGB pixel). */
    private static double redness(Path mp3) throws IOException {
        Process process = new ProcessBuilder(MediaSamples.FFMPEG, "-v", "error", "-nostdin", "-i", mp3.toString(),
                "-map", "0:v:0", "-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-").start();
        byte[] rgb = process.getInputStream().readAllBytes();
        int r = rgb[0] & 0xff;
        int g = rgb[1] & 0xff;
        int b = rgb[2] & 0xff;
        return (double) r / Math.max(1, r + g + b);
    }

    private Document jobDocument(String id) {
        return server.server().backend().mongo().collection("jobs")
                .find(eq("_id", new ObjectId(id))).first().orElseThrow();
    }

    private static String run(List<String> command) throws IOException {
        return run(command, false);
    }

    /** Runs a command: its stderr (ffmpeg's log), or with {@code countStdout} the number of stdout bytes. */
    private static String run(List<String> command, boolean countStdout) throws IOException {
        Process process = new ProcessBuilder(command).start();
        try {
            Thread drain;
            long[] count = new long[1];
            StringBuilder err = new StringBuilder();
            drain = Thread.ofVirtual().start(() -> {
                try {
                    err.append(new String(process.getErrorStream().readAllBytes()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = process.getInputStream().read(buffer)) > 0) {
                count[0] += n;
            }
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                drain.join();
                throw new IOException(command + " failed: " + err);
            }
            drain.join();
            return countStdout ? String.valueOf(count[0]) : err.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
