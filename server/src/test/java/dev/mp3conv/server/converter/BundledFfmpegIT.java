package dev.mp3conv.server.converter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.JobState;
import dev.mp3conv.server.jobs.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code converter.ffmpeg=bundled}: the static ffmpeg from jave-nativebin-linux64 is extracted under
 * the data directory, executable, and used without ffprobe (probing parses {@code ffmpeg -i}).
 */
class BundledFfmpegIT {
    @TempDir
    Path dir;

    @Test
    void convertsAndRejectsWithTheExtractedBinary() throws Exception {
        Path samples = Files.createDirectories(dir.resolve("samples"));
        Path data = dir.resolve("data");
        try (ConverterTestServer server = new ConverterTestServer(data, Map.of("converter.ffmpeg", "bundled"))) {
            Path ffmpeg = server.converter().ffmpegExecutable();
            assertThat(ffmpeg).startsWith(data.toAbsolutePath()).isExecutable();

            Job done = server.awaitFinished(server.submit(MediaSamples.mp4MoovAtEnd(samples), "96k", null));
            Job copied = server.awaitFinished(server.submit(MediaSamples.mkvWithMp3(samples), null, null));
            Job silent = server.awaitFinished(server.submit(MediaSamples.videoOnly(samples), null, null));
            Job random = server.awaitFinished(server.submit(MediaSamples.randomBytes(samples), null, null));
            // the run prints the source's tags itself (a second output, ffmetadata), in ffmpeg 4.4 as in 5.1
            Job tagged = server.awaitFinished(server.submit(MediaSamples.mp4WithTags(samples), null, null));

            assertThat(done.state()).as("error %s", done.error()).isEqualTo(JobState.DONE);
            assertThat(done.durationSeconds()).isCloseTo(MediaSamples.SECONDS, within(0.1));
            JsonNode mp3 = MediaSamples.probe(server.mp3File(done));
            assertThat(MediaSamples.firstAudio(mp3).path("codec_name").asText()).isEqualTo("mp3");
            assertThat(MediaSamples.firstAudio(mp3).path("bit_rate").asLong()).isEqualTo(96_000);
            assertThat(mp3.path("format").path("duration").asDouble()).isCloseTo(MediaSamples.SECONDS, within(0.1));
            assertThat(copied.state()).isEqualTo(JobState.DONE);
            assertThat(copied.bitrate()).isEqualTo("128k");
            assertThat(silent.error().code()).isEqualTo("no-audio");
            assertThat(random.error().code()).isEqualTo("invalid-media");
            assertThat(tagged.state()).as("error %s", tagged.error()).isEqualTo(JobState.DONE);
            JsonNode tags = MediaSamples.probe(server.mp3File(tagged)).path("format").path("tags");
            assertThat(tags.path("title").asText()).isEqualTo("Talk = Part; #1");
            assertThat(tags.path("artist").asText()).isEqualTo("Ann Example");
        }
        // extracted once: resolving again reuses the file instead of writing it anew
        Path extracted = Ffmpeg.resolve(Optional.of("bundled"), data.toAbsolutePath()).executable();
        Object inode = Files.getAttribute(extracted, "unix:ino");
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(extracted);
        assertThat(Ffmpeg.resolve(Optional.of("bundled"), data.toAbsolutePath()).executable()).isEqualTo(extracted);
        assertThat(Files.getAttribute(extracted, "unix:ino")).isEqualTo(inode);
        assertThat(Files.getLastModifiedTime(extracted)).isEqualTo(written);
    }
}
