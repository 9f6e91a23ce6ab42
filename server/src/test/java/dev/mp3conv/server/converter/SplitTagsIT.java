package dev.mp3conv.server.converter;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.storage.FileSystemBlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole-job run ended at its summary for segments (real ffmpeg): asked to end, it still prints the source's
 * tags, the same a tag read of their own finds, so the split needs no second ffmpeg start; a run killed by any
 * other stop prints none.
 */
class SplitTagsIT {
    @TempDir
    Path dir;

    @Test
    void aRunEndedForSegmentsPrintsTheTagsASeparateReadFinds() throws Exception {
        Path input = MediaSamples.mp4WithTags(dir);
        Ffmpeg ffmpeg = Ffmpeg.resolve(Optional.empty(), dir);
        SourceTags separate = SourceTags.read(ffmpeg, "file:" + input.toAbsolutePath(), "talk.mp4", Duration.ofMinutes(1), p -> { });

        Mp3Transcoder.Result ended = endAtSummary(ffmpeg, input, RunningConversion.Stop.SEGMENTED);

        assertThat(separate.artist()).isEqualTo("Ann Example");
        assertThat(ended.splitTags()).contains(separate);
        assertThat(ended.blob()).as("the run's MP3 is not kept").isEmpty();
    }

    @Test
    void aRunKilledForAnotherStopPrintsNoTags() throws Exception {
        Path input = MediaSamples.mp4WithTags(dir);
        Ffmpeg ffmpeg = Ffmpeg.resolve(Optional.empty(), dir);

        Mp3Transcoder.Result killed = endAtSummary(ffmpeg, input, RunningConversion.Stop.LEASE_LOST);

        assertThat(killed.splitTags()).isEmpty();
    }

    private Mp3Transcoder.Result endAtSummary(Ffmpeg ffmpeg, Path input, RunningConversion.Stop stop) throws Exception {
        try (FileSystemBlobStore blobs = FileSystemBlobStore.open(dir.resolve("blobs"))) {
            Mp3Transcoder transcoder = new Mp3Transcoder(ffmpeg, blobs, dir.resolve("tmp"),
                    new MediaLimits(Duration.ofHours(1)));
            Job job = Job.queued("0123456789abcdef01234567", "u", "u@example.com", "talk.mp4", "video/mp4", 1, "00",
                    "76543210fedcba9876543210", null, null, Instant.EPOCH);
            RunningConversion conversion = new RunningConversion(job, "converter-test/1");
            return transcoder.transcode(job, "file:" + input.toAbsolutePath(), Mp3Encoding.standard(),
                    Mp3Transcoder.Tagging.fromRun(job.filename(), Id3v2Tag::of), conversion, media -> conversion.stop(stop));
        }
    }
}
