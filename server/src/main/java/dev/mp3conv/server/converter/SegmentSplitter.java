package dev.mp3conv.server.converter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.WeakHashMap;
import java.util.function.Consumer;

import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Turns a claimed long job into segments (docs/architecture.md, "Segments"). When ffmpeg's summary
 * of the input shows audio longer than {@code converter.segment-threshold} at an MPEG-1 rate (the
 * summary of the whole-job run, which is then stopped at once, or of the tag read that precedes a
 * loudness job's measurement), the plan's units are written, the job is handed over to them and one
 * {@code video} message per segment but one is published, for this process's other slots and other
 * converters to take; the slot that split the job claims the last one itself ({@link #keptSegment}).
 * A short input pays nothing.
 */
final class SegmentSplitter {
    private static final System.Logger LOG = System.getLogger(SegmentSplitter.class.getName());

    private final SegmentSettings settings;
    private final SegmentRepository segments;
    private final BlobStore blobs;
    private final JobPublisher publisher;
    private final Map<RunningConversion, Planned> planned = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<RunningConversion, Integer> kept = Collections.synchronizedMap(new WeakHashMap<>());

    private record Planned(SegmentPlan plan, double seconds) {
    }

    SegmentSplitter(SegmentSettings settings, SegmentRepository segments, BlobStore blobs, JobPublisher publisher) {
        this.settings = settings;
        this.segments = segments;
        this.blobs = blobs;
        this.publisher = publisher;
    }

    /**
     * The encoding segments of a job use: what it asks for, or the standard CBR when it asks for
     * nothing (segments exist only for inputs that are encoded, never for stream copies).
     *
     * @param job the job
     * @return the encoding
     * @throws MediaRejectedException when the job asks for something MP3 cannot be
     */
    static Mp3Encoding encodingOf(Job job) throws MediaRejectedException {
        Mp3Encoding first = Mp3Encoding.first(job);
        return first.streamCopy() ? Mp3Encoding.standard() : first;
    }

    /**
     * Wraps a run's summary listener: for an encoding run whose input is long, records the plan and
     * stops the run ({@link RunningConversion.Stop#SEGMENTED}).
     *
     * @param conversion the conversion
     * @param encoding   the run's encoding
     * @param summary    the listener to call first
     * @return the listener to give the run
     */
    Consumer<MediaInfo> watch(RunningConversion conversion, Mp3Encoding encoding, Consumer<MediaInfo> summary) {
        return media -> {
            summary.accept(media);
            // a run the summary's own checks stopped (a limit, a timeout) is not split
            if (conversion.stopped().isEmpty() && offer(conversion, media, encoding)) {
                conversion.stop(RunningConversion.Stop.SEGMENTED);
            }
        };
    }

    /**
     * Records the plan for a conversion when its input is long and its encoding can be segmented.
     *
     * @param conversion the conversion
     * @param media      what ffmpeg said of the input
     * @param encoding   the encoding that would run
     * @return whether the input is to be segmented
     */
    boolean offer(RunningConversion conversion, MediaInfo media, Mp3Encoding encoding) {
        OptionalDouble seconds = media.expectedAudioSeconds();
        // a trim, a resample or a limiter depend on more than each segment's samples: one run
        if (encoding.streamCopy() || !encoding.segmentable() || seconds.isEmpty() || media.audio().isEmpty()) {
            return false;
        }
        Optional<SegmentPlan> plan = SegmentPlan.of(seconds.getAsDouble(), media.audio().get().sampleRate(),
                settings.threshold(), settings.maxParts(), SegmentPlan.seeks(media.container()));
        plan.ifPresent(p -> planned.put(conversion, new Planned(p, seconds.getAsDouble())));
        return plan.isPresent();
    }

    /**
     * Whether a plan was recorded for this conversion ({@link #split} would write it).
     *
     * @param conversion the conversion
     * @return true when its input is to be segmented
     */
    boolean planned(RunningConversion conversion) {
        return planned.containsKey(conversion);
    }

    /**
     * Splits the job if a plan was recorded for this conversion: writes its units, hands the job
     * over to them, publishes their messages.
     *
     * @param conversion the conversion (holding the job's lease, as {@link RunningConversion#owner})
     * @param tags       the MP3's tags, kept for the stitch step
     * @param deadline   when the job's time budget runs out (the store's clock): one budget for all its units
     * @return true when the job now belongs to its segments (the caller is done with it)
     * @throws InterruptedException when interrupted while the duration is written
     */
    boolean split(RunningConversion conversion, SourceTags tags, Instant deadline)
            throws InterruptedException {
        Planned chosen = planned.remove(conversion);
        if (chosen == null || conversion.stopped().filter(stop -> stop != RunningConversion.Stop.SEGMENTED).isPresent()) {
            return false;
        }
        Job job = conversion.job();
        SegmentPlan plan = chosen.plan();
        // the duration is written under this worker's lease: it must land before the hand-over
        conversion.awaitDurationWrite(Duration.ofSeconds(10));
        for (Segment old : segments.ofJob(job.id())) {
            if (old.blobId() != null) {
                blobs.delete(old.blobId());
            }
        }
        List<Segment> units = new ArrayList<>();
        int count = plan.parts().size();
        for (SegmentPlan.Part part : plan.parts()) {
            // a seeking segment is verified by the one before it, which decodes through its first sample anyway
            Optional<SegmentPlan.Part> next = part.last() ? Optional.empty() : Optional.of(plan.parts().get(part.index() + 1));
            long checkAt = next.filter(SegmentPlan.Part::seeks).map(SegmentPlan.Part::startSample).orElse(-1L);
            units.add(Segment.encode(job.id(), part.index(), count, plan.sampleRate(), part.startSample(),
                    part.endSample(), part.keepFrom(), part.keepBefore(), plan.keptSeconds(part, chosen.seconds()))
                    .until(deadline).seeking(part.seeks(), checkAt));
        }
        units.add(Segment.stitch(job.id(), count, plan.sampleRate()).until(deadline).tagged(tags.values()));
        segments.replacePlan(units);
        if (!segments.handOver(job.id(), conversion.owner(), count)) {
            LOG.log(System.Logger.Level.INFO, "job {0}: lease lost before the hand-over to segments", job.id());
            segments.deleteOfJob(job.id());
            return true;
        }
        LOG.log(System.Logger.Level.INFO, "job {0}: {1} s of audio in {2} segments ({3} ms after the claim, +{4} ms "
                        + "since upload)", job.id(), String.format(java.util.Locale.ROOT, "%.1f", chosen.seconds()),
                String.valueOf(count), String.valueOf(conversion.elapsed().toMillis()),
                String.valueOf(Duration.between(job.createdAt(), Instant.now()).toMillis()));
        // the last first: in a plan that counts, a later segment decodes the input from its start up to its own
        // part, so the last is the dearest (in a seeking plan all cost about the same). This slot encodes the
        // last itself, claimed like any (keptSegment): the others' messages go out before
        kept.put(conversion, count - 1);
        for (int i = count - 2; i >= 0; i--) {
            publisher.publishSegment(job, i);
        }
        return true;
    }

    /**
     * The segment the slot that split this conversion's job encodes next without a message
     * ({@link SegmentWorker#take}): its message was not published, and the unit waits QUEUED for this claim
     * (the sweeper publishes it if this process dies first). Asked once.
     *
     * @param conversion the conversion that was split
     * @return the segment's index, empty when this conversion did not hand its job over
     */
    Optional<Integer> keptSegment(RunningConversion conversion) {
        return Optional.ofNullable(kept.remove(conversion));
    }
}
