package dev.mp3conv.server.converter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobCompletion;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.jobs.Segment;
import dev.mp3conv.server.jobs.SegmentRepository;
import dev.mp3conv.server.queue.Delivery;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobMetadata;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Handles the {@code video} messages of segments (those with a {@code segment} index): claims the
 * unit, then either encodes its time range of the input with the same ffmpeg run as a whole job
 * ({@link Mp3Transcoder}, so the same allow-lists and limits apply) into a segment blob, or, for the
 * stitch step, joins the segment blobs into the job's MP3 ({@link Mp3Stitcher}), completes the job
 * and publishes {@code mp3}. Claims, leases, retries and shutdown behave as for whole jobs
 * ({@link ConversionWorker}); a bad input fails the whole job once, with its reason.
 */
final class SegmentWorker {
    private static final System.Logger LOG = System.getLogger(SegmentWorker.class.getName());
    /** The tap that prints a seeking encode's first sample's timestamp. */
    static final String START_TAP = "segstart";
    /** The tap that prints the timestamp of the sample counted at the next unit's start. */
    static final String NEXT_TAP = "segnext";

    private final String workerId;
    private final ConverterSettings settings;
    private final JobRepository jobs;
    private final SegmentRepository segments;
    private final BlobStore blobs;
    private final JobQueue queue;
    private final JobPublisher publisher;
    private final Mp3Transcoder transcoder;
    private final LoopbackMediaServer loopback;
    private final ConversionMetrics metrics;
    private final ScheduledExecutorService ticker;
    private final ConverterScratch scratch;
    private final Path tempDir;
    private final JobCompletion completion;
    private final MediaProbe probe;
    private final AudioPreparation preparation;
    private final LoudnessMeasurement loudness;
    private final SegmentJoiner joiner;
    private final Set<RunningConversion> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile FairShare fairShare;

    SegmentWorker(String workerId, ConverterSettings settings, JobRepository jobs, SegmentRepository segments,
                  BlobStore blobs, JobQueue queue, JobPublisher publisher, Mp3Transcoder transcoder, LoopbackMediaServer loopback,
                  ConversionMetrics metrics, ScheduledExecutorService ticker, ConverterScratch scratch,
                  StorageQuota quota, MediaProbe probe, AudioPreparation preparation, LoudnessMeasurement loudness) {
        this.workerId = workerId;
        this.settings = settings;
        this.jobs = jobs;
        this.segments = segments;
        this.blobs = blobs;
        this.queue = queue;
        this.publisher = publisher;
        this.transcoder = transcoder;
        this.loopback = loopback;
        this.metrics = metrics;
        this.ticker = ticker;
        this.scratch = scratch;
        this.tempDir = scratch.dir();
        this.completion = new JobCompletion(jobs, quota);
        this.probe = probe;
        this.preparation = preparation;
        this.loudness = loudness;
        this.joiner = new SegmentJoiner(blobs, tempDir);
    }

    /** The segments collection this worker claims from. */
    SegmentRepository segments() {
        return segments;
    }

    /**
     * Holds segments to {@code converter.per-user} like whole jobs: a segment whose owner has that many
     * jobs or segments converting goes back to the queue shortly.
     *
     * @param share the converter's fair share
     */
    void shareFairly(FairShare share) {
        this.fairShare = share;
    }

    void handle(Delivery delivery) throws Exception {
        run(delivery.message(), fairShare);
    }

    /**
     * Runs a unit this slot has just made claimable (the segment its split kept, the stitch step its last encode
     * promoted) without a message, sparing the queue hop: the same claim, lease, budget, stops and retries as a
     * delivery's. The owner's fair share is not asked: the unit takes the place of the conversion this slot has
     * just ended for the same owner (the job handed over to its segments, the segment stored), so the owner's count
     * of conversions cannot rise, and the share's six store queries are spared. Where a delivery would go back to
     * the queue (a shutdown, a failed attempt, a store that fails before the claim), the unit's message is
     * published instead, as a requeued delivery would come back.
     *
     * @param job   the job, as its split or its encode read it
     * @param index the unit
     * @throws InterruptedException when interrupted (the message is published first)
     */
    void take(Job job, int index) throws InterruptedException {
        try {
            run(job.message().forSegment(index), null);
        } catch (Exception e) {
            // released by the failed attempt (or never claimed): the queue brings it back, here or elsewhere
            LOG.log(System.Logger.Level.INFO, "job {0} segment {1}: taken without a message, failed ({2}); published",
                    job.id(), index, e.toString());
            publisher.publishSegment(job, index);
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
        }
    }

    /** Claims and runs a unit; {@code share} null when the owner's fair share is not asked. */
    private void run(JobMessage message, FairShare share) throws Exception {
        int index = message.segment();
        if (stopping) {
            queue.publish(Topic.VIDEO, message);
            return;
        }
        if (share != null && share.ownerBusy(message)) {
            awaitTurn(share, message);
            return;
        }
        String owner = ClaimOwner.next(workerId);
        Optional<Segment> claimed = segments.claim(message.jobId(), index, owner, settings.lease());
        if (claimed.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "job {0} segment {1}: not claimable, skipped", message.jobId(), index);
            return;
        }
        Segment unit = claimed.get();
        Optional<Job> job = jobs.find(unit.jobId()).filter(SegmentRepository::segmented);
        if (job.isEmpty()) {
            // finished, failed or deleted meanwhile: the sweeper deletes what is left of it
            segments.complete(unit, owner, null);
            return;
        }
        if (share != null && share.overShare(job.get(), unit) && segments.unclaim(unit, owner)) {
            awaitTurn(share, message);
            return;
        }
        RunningConversion conversion = new RunningConversion(job.get(), owner);
        if (!budget(conversion, unit)) {
            failJob(job.get(), new JobError(MediaRejectedException.TIMEOUT, spentBudget(conversion.job())));
            return;
        }
        running.add(conversion);
        long every = settings.renewEvery().toMillis();
        ScheduledFuture<?> renewal = ticker.scheduleAtFixedRate(() -> tick(conversion, unit), every, every,
                TimeUnit.MILLISECONDS);
        boolean stitchNext = false;
        try {
            if (unit.stitchStep()) {
                stitch(conversion, unit);
            } else {
                stitchNext = encode(conversion, unit);
            }
        } catch (MediaRejectedException e) {
            failJob(job.get(), e.error());
        } catch (Exception e) {
            retryOrGiveUp(job.get(), unit, owner, e);
        } finally {
            renewal.cancel(false);
            running.remove(conversion);
        }
        if (stitchNext) {
            // this encode was the last: the stitch step it promoted is this slot's, without the queue hop
            take(job.get(), unit.count());
        }
    }

    /**
     * Gives the unit what is left of its job's one time budget (the deadline the split recorded, on the
     * store's clock); a unit planned without one gets a budget as a whole job of that length would.
     *
     * @return false when the job's budget is spent
     */
    private boolean budget(RunningConversion conversion, Segment unit) {
        double total = totalSeconds(conversion.job());
        double seconds = unit.stitchStep() ? 0 : unitSeconds(unit, total);
        if (unit.deadline() == null) {
            conversion.budget(seconds, settings.timeoutFor(total));
            return true;
        }
        Duration left = Duration.between(jobs.now(), unit.deadline());
        conversion.budget(seconds, left);
        return !left.isNegative() && !left.isZero();
    }

    private String spentBudget(Job job) {
        return "the conversion (in segments) ran longer than its budget of "
                + settings.timeoutFor(totalSeconds(job)).toSeconds() + " s";
    }

    private static double totalSeconds(Job job) {
        return job.durationSeconds() == null ? 0 : job.durationSeconds();
    }

    private static double unitSeconds(Segment unit, double total) {
        return unit.endSample() < 0 ? Math.max(1, total - (double) unit.startSample() / unit.sampleRate())
                : (double) (unit.endSample() - unit.startSample()) / unit.sampleRate();
    }

    private void awaitTurn(FairShare share, JobMessage message) {
        LOG.log(System.Logger.Level.DEBUG, "job {0} segment {1}: its owner has {2} conversion(s) running, back to the "
                + "queue shortly", message.jobId(), message.segment(), String.valueOf(settings.perUser()));
        metrics.outcome("waiting");
        share.later(message);
    }

    void stop() {
        stopping = true;
        running.forEach(c -> c.stop(RunningConversion.Stop.SHUTDOWN));
    }

    /** Encodes a segment; true when it was the last and promoted the stitch step, which the caller then runs. */
    private boolean encode(RunningConversion conversion, Segment claimed) throws Exception {
        Segment unit = claimed;
        Encoded encoded;
        // a seeking encode whose timestamps turned out to disagree is made again, counting, under the same claim
        while ((encoded = encodeOnce(conversion, unit)).again().isPresent()) {
            unit = encoded.again().get();
        }
        return encoded.stitchNext();
    }

    /**
     * What one encode left to do: the unit to encode again (it counts from the decoder's first sample now), or
     * whether it was the last and promoted the stitch step.
     */
    private record Encoded(Optional<Segment> again, boolean stitchNext) {
        static final Encoded NOTHING = new Encoded(Optional.empty(), false);
    }

    /**
     * Encodes the unit once and keeps the blob unless the unit stopped seeking meanwhile.
     *
     * @return the unit to encode again, else whether the stitch step is this slot's to run
     */
    private Encoded encodeOnce(RunningConversion conversion, Segment unit) throws Exception {
        Job job = conversion.job();
        Mp3Encoding encoding = SegmentSplitter.encodingOf(job);
        double total = totalSeconds(job);
        String timing;
        try (JobInput input = JobInput.open(job, blobs, loopback, scratch)) {
            if (stopped(conversion, unit)) {
                return Encoded.NOTHING;
            }
            long claimedAt = sinceUpload(job);
            long ffmpegStart = System.nanoTime();
            // a segment's frames are stitched: no tags of their own, and no SHA-256 (the stitched file gets one)
            Mp3Transcoder.Result result = transcoder.transcode(job, input.address(), rangeOf(encoding, unit),
                    SourceTags.NONE, conversion, media -> { }, false);
            timing = String.format(Locale.ROOT, "%s, claimed at +%d ms, ffmpeg ran %d ms",
                    unit.seek() ? "sought" : "counted", claimedAt, (System.nanoTime() - ffmpegStart) / 1_000_000);
            boolean kept = false;
            try {
                if (stopped(conversion, unit)) {
                    return Encoded.NOTHING;
                }
                if (!result.opened() || result.exitCode() != 0 || result.blob().isEmpty()) {
                    if (input.failed()) {
                        throw new IOException("the blob store failed while ffmpeg read the video");
                    }
                    if (unit.startSample() > 0 && result.outSeconds() == 0) {
                        // nothing decoded from this segment's start on: the input ends before its stated length
                        throw new MediaRejectedException(MediaRejectedException.INVALID_MEDIA, String.format(Locale.ROOT,
                                "the audio ends before %.1f s of %.1f s: the file is truncated or corrupt",
                                (double) unit.startSample() / unit.sampleRate(), total));
                    }
                    throw new MediaRejectedException(MediaRejectedException.INVALID_MEDIA, result.reason());
                }
                // before this unit is DONE, so that the stitch never sees a seeking encode the check refused
                verify(job, unit, result.taps());
                kept = segments.complete(unit, conversion.owner(), result.blob().get().id());
                if (!kept) {
                    Optional<Segment> now = segments.find(job.id(), unit.index());
                    if (unit.seek() && now.filter(u -> Segment.CONVERTING.equals(u.state()) && !u.seek()
                            && conversion.owner().equals(u.leaseOwner())).isPresent()) {
                        LOG.log(System.Logger.Level.INFO, "job {0} segment {1}/{2}: sought encode refused ({3}), "
                                + "encoding again counting from the start", job.id(), unit.index() + 1, unit.count(),
                                timing);
                        return new Encoded(now, false);
                    }
                    LOG.log(System.Logger.Level.INFO, "job {0} segment {1}: lease lost, encode discarded", job.id(),
                            unit.index());
                    return Encoded.NOTHING;
                }
                // a job failed by another segment meanwhile is cleaned up from its units as they were read
                // then: a blob recorded after that clean-up read is this worker's to delete
                if (jobs.find(job.id()).filter(SegmentRepository::segmented).isEmpty()) {
                    kept = false;
                    return Encoded.NOTHING;
                }
            } finally {
                if (!kept) {
                    result.blob().ifPresent(blob -> blobs.delete(blob.id()));
                }
            }
        }
        LOG.log(System.Logger.Level.INFO, "job {0} segment {1}/{2}: encoded in {3} ms ({4}, stored at +{5} ms since "
                + "upload)", job.id(), unit.index() + 1, unit.count(), String.valueOf(conversion.elapsed().toMillis()),
                timing, String.valueOf(sinceUpload(job)));
        return new Encoded(Optional.empty(), segments.promoteStitch(job.id(), unit.count()));
    }

    /**
     * Checks the timestamps a seeking encode relies on, from the run's taps ({@link #rangeOf}): a seeking unit's
     * first sample must carry its start as timestamp (the seek landed before it, with no gap), and the sample this
     * run counted at the next unit's start must carry that start (so the next unit's seek finds the same sample).
     * Where they disagree, that unit and every later one count from the decoder's first sample instead
     * ({@link SegmentRepository#countFromStart}): one disagreement is reason enough to trust no later timestamp.
     */
    private void verify(Job job, Segment unit, Map<String, Long> taps) {
        int from = -1;
        String why = null;
        if (unit.seek() && !Long.valueOf(unit.startSample()).equals(taps.get(START_TAP))) {
            from = unit.index();
            why = "its own start " + unit.startSample() + " sought, first sample at pts " + taps.get(START_TAP);
        } else if (unit.checkSample() >= 0 && !Long.valueOf(unit.checkSample()).equals(taps.get(NEXT_TAP))) {
            from = unit.index() + 1;
            why = "sample " + unit.checkSample() + " counted, its pts " + taps.get(NEXT_TAP);
        }
        if (from < 0) {
            return;
        }
        List<Segment> requeued = segments.countFromStart(job.id(), from);
        LOG.log(System.Logger.Level.INFO, "job {0} segment {1}/{2}: timestamps disagree with the samples ({3}): "
                        + "segments from {4} on count from the start ({5} encoded already, queued again)", job.id(),
                unit.index() + 1, unit.count(), why, from + 1, requeued.size());
        metrics.outcome("segment-recount");
        for (Segment old : requeued) {
            if (old.blobId() != null) {
                blobs.delete(old.blobId());
            }
            publisher.publishSegment(job, old.index());
        }
    }

    /**
     * The job's encoding limited to the unit's samples, on the same grid as a single pass; the muxer writes the
     * Xing/LAME frame the stitcher reads the delay and padding from. The trim goes first in the job's filter chain
     * (a loudness gain, a downmix follow it):
     * <ul>
     * <li>a unit that counts ({@code atrim} sample options count decoded samples, they do not read timestamps)
     * decodes from the input's start;</li>
     * <li>a seeking unit ({@link Segment#seek}) seeks {@value SegmentPlan#SEEK_LEAD} s before its start
     * ({@code -noaccurate_seek}: the demuxer's seek, to a packet, {@code -seek2any}: of any stream, not only the
     * video's keyframes; {@code -copyts}: the container's timestamps
     * kept) and trims by timestamp, which in an audio filter graph counts samples ({@code 1/sample_rate}); a tap
     * prints its first sample's timestamp;</li>
     * <li>a unit before a seeking one ({@link Segment#checkSample}) prints, with {@code -copyts}, the timestamp
     * of the sample it counts at that one's start.</li>
     * </ul>
     * The taps are side branches ({@code asplit}, one-sample {@code atrim}, {@code ashowinfo@name},
     * {@code anullsink}) that cost nothing measurable; {@link #verify} reads them.
     */
    static Mp3Encoding rangeOf(Mp3Encoding encoding, Segment unit) {
        long start = unit.startSample();
        boolean bounded = unit.endSample() >= 0;
        String trim;
        List<String> inputArgs;
        List<String> taps = new ArrayList<>();
        if (unit.seek()) {
            double at = Math.max(0, (double) start / unit.sampleRate() - SegmentPlan.SEEK_LEAD);
            // -seek2any: an MP4's seek would land on the video keyframe before (the bench's: 95 s before, 0.1 s of
            // decoding); the video is not decoded, so any packet will do
            inputArgs = List.of("-seek2any", "1", "-noaccurate_seek", "-ss", String.format(Locale.ROOT, "%.6f", at),
                    "-copyts");
            trim = "atrim=start_pts=" + start + (bounded ? ":end_pts=" + unit.endSample() : "");
            taps.add("atrim=end_sample=1,ashowinfo@" + START_TAP + ",anullsink");
        } else {
            inputArgs = unit.checkSample() >= 0 ? List.of("-copyts") : List.of();
            trim = "atrim=start_sample=" + start + (bounded ? ":end_sample=" + unit.endSample() : "");
        }
        if (unit.checkSample() >= 0) {
            long counted = unit.checkSample() - start;
            taps.add("atrim=start_sample=" + counted + ":end_sample=" + (counted + 1) + ",ashowinfo@" + NEXT_TAP
                    + ",anullsink");
        }
        StringBuilder filter = new StringBuilder(trim);
        if (!taps.isEmpty()) {
            filter.append(",asplit=").append(taps.size() + 1).append("[part]");
            for (int i = 0; i < taps.size(); i++) {
                filter.append("[tap").append(i).append(']');
            }
            for (int i = 0; i < taps.size(); i++) {
                filter.append(";[tap").append(i).append(']').append(taps.get(i));
            }
            filter.append(";[part]");
        } else {
            filter.append(',');
        }
        filter.append("asetpts=PTS-STARTPTS");
        return encoding.part(inputArgs, filter.toString(), List.of("-id3v2_version", "0", "-write_xing", "1"));
    }

    private void stitch(RunningConversion conversion, Segment unit) throws Exception {
        Job job = conversion.job();
        long claimedAt = sinceUpload(job);
        List<Segment> encodes = segments.ofJob(job.id()).stream().filter(s -> !s.stitchStep()).toList();
        if (encodes.size() != unit.count()) {
            throw new IOException("the stitch step found " + encodes.size() + " of " + unit.count() + " segments");
        }
        Path file = Files.createTempFile(tempDir, job.id() + "-", ".mp3");
        try {
            long started = System.nanoTime();
            // the source's clean tags in front of the stitched frames, as a single run writes them; hashed as written
            Mp3Stitcher.Result stitched = joiner.join(encodes, file, id3(conversion, job, unit));
            long joined = System.nanoTime();
            if (stopped(conversion, unit)) {
                return;
            }
            measure(conversion, job, file);
            if (stitched.overflows() > 0) {
                LOG.log(System.Logger.Level.WARNING, "job {0}: {1} splice(s) without room for the bit reservoir hand-off",
                        job.id(), stitched.overflows());
            }
            long measured = System.nanoTime();
            BlobInfo mp3 = blobs.adopt(new BlobMetadata(job.owner(), job.id(), "audio/mpeg",
                    Mp3Transcoder.mp3Name(job.filename())), file);
            String steps = String.format(java.util.Locale.ROOT, "claimed at +%d ms, joined and hashed in %d ms, "
                    + "stored in %d ms", claimedAt, (joined - started) / 1_000_000,
                    (System.nanoTime() - measured) / 1_000_000);
            complete(conversion, job, mp3, stitched.sha256(), (double) stitched.samples() / stitched.sampleRate(),
                    stitched, steps);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The MP3's tags: those the split read from the input with its summary (kept on the stitch unit), else
     * read from the input now (a unit planned without them); an input that cannot be read for them leaves
     * the title from the file name.
     */
    private SourceTags tags(RunningConversion conversion, Job job, Segment unit) throws InterruptedException {
        if (unit.tags() != null) {
            return SourceTags.of(unit.tags(), job.filename());
        }
        try (JobInput input = JobInput.open(job, blobs, loopback, scratch)) {
            return probe.tags(input.address(), job.filename(), conversion::attachHelper);
        } catch (IOException | MediaRejectedException e) {
            LOG.log(System.Logger.Level.INFO, "job {0}: source tags not read for the stitched MP3: {1}",
                    job.id(), e.getMessage());
            return SourceTags.of(java.util.Map.of(), job.filename());
        }
    }

    /**
     * The stitched MP3's ID3 tag: the tags (the job's title and artist were applied before the split kept
     * them), and the cover when the job asks for one, taken from the input now: a picture is too large to keep
     * on the stitch unit, and its two short runs cost little next to the encodes.
     */
    private byte[] id3(RunningConversion conversion, Job job, Segment unit) throws InterruptedException {
        SourceTags tags = tags(conversion, job, unit);
        if (unit.tags() == null) {
            tags = AudioPreparation.withOverrides(tags, job);
        }
        return Id3v2Tag.of(tags, preparation.cover(conversion, job, blobs, loopback, scratch));
    }

    /** A loudness job's stitched MP3 is measured and the result recorded on the job, as a single run's is. */
    private void measure(RunningConversion conversion, Job job, Path file) throws IOException {
        if (job.loudness() == null) {
            return;
        }
        try {
            LoudnessMeasurement.Measured out = loudness.file(file, Mp3Transcoder.MEASURE_TIMEOUT,
                    conversion::attachHelper);
            jobs.recordLoudness(job.id(), SegmentRepository.OWNER, job.loudness().withOutput(out.lufs(),
                    out.truePeakDbtp()));
        } catch (MediaRejectedException e) {
            throw new IOException("the stitched MP3 cannot be measured: " + e.getMessage(), e);
        }
    }

    private void complete(RunningConversion conversion, Job job, BlobInfo mp3, String sha256, double seconds,
                          Mp3Stitcher.Result stitched, String steps) throws MediaRejectedException {
        String bitrate = SegmentSplitter.encodingOf(job).recordedBitrate();
        Job finished;
        boolean kept = false;
        try {
            switch (completion.complete(job, SegmentRepository.OWNER, mp3, sha256, bitrate)) {
                case JobCompletion.Done done -> finished = done.job();
                case JobCompletion.DoneUnanswered unanswered -> {
                    kept = true;
                    cleanUp(job.id());
                    return;
                }
                case JobCompletion.NotHeld notHeld -> {
                    LOG.log(System.Logger.Level.INFO, "job {0}: no longer converting when stitched, MP3 discarded",
                            job.id());
                    metrics.outcome("lease-lost");
                    return;
                }
            }
            kept = true;
        } finally {
            if (!kept) {
                blobs.delete(mp3.id());
            }
        }
        java.time.Duration wall = java.time.Duration.between(finished.createdAt(), jobs.now());
        metrics.converted(conversion.elapsed(), seconds);
        LOG.log(System.Logger.Level.INFO, "job {0}: DONE, {1} segments stitched in {2} ms ({3}; splices moved {4}; {5} "
                        + "bytes; {6} ms since upload)", job.id(), stitched.shifts().size() + 1,
                String.valueOf(conversion.elapsed().toMillis()), steps, stitched.shifts(), String.valueOf(mp3.length()),
                String.valueOf(wall.toMillis()));
        cleanUp(job.id());
        publisher.publish(Topic.MP3, finished);
    }

    /** Milliseconds since the job was created (its upload's last byte), on the store's clock: for the log's timeline. */
    private long sinceUpload(Job job) {
        return Duration.between(job.createdAt(), jobs.now()).toMillis();
    }

    /** Deletes a finished job's segment blobs and units. */
    void cleanUp(String jobId) {
        for (Segment unit : segments.ofJob(jobId)) {
            if (unit.blobId() != null) {
                blobs.delete(unit.blobId());
            }
        }
        segments.deleteOfJob(jobId);
    }

    private boolean stopped(RunningConversion conversion, Segment unit) throws MediaRejectedException {
        Optional<RunningConversion.Stop> stop = conversion.stopped();
        if (stop.isEmpty()) {
            return false;
        }
        Job job = conversion.job();
        switch (stop.get()) {
            case TIMEOUT -> throw new MediaRejectedException(MediaRejectedException.TIMEOUT, unit.deadline() == null
                    ? "segment " + (unit.index() + 1) + " ran longer than its budget of " + conversion.budget().toSeconds()
                    + " s" : spentBudget(job));
            case SHUTDOWN -> {
                if (segments.release(unit, conversion.owner())) {
                    LOG.log(System.Logger.Level.INFO, "job {0} segment {1}: released on shutdown", job.id(), unit.index());
                    publisher.publishSegment(job, unit.index());
                }
            }
            default -> LOG.log(System.Logger.Level.INFO, "job {0} segment {1}: lease lost, abandoned", job.id(),
                    unit.index());
        }
        return true;
    }

    private void tick(RunningConversion conversion, Segment unit) {
        if (conversion.pastDeadline()) {
            conversion.stop(RunningConversion.Stop.TIMEOUT);
            return;
        }
        try {
            double progress = conversion.progress();
            if (!segments.renew(unit, conversion.owner(), settings.lease(), progress)) {
                conversion.stop(RunningConversion.Stop.LEASE_LOST);
                return;
            }
            if (!unit.stitchStep()) {
                segments.recordJobProgress(unit.jobId(), jobProgress(unit, progress));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0} segment {1}: cannot renew the lease: {2}", unit.jobId(),
                    unit.index(), e.toString());
        }
    }

    /** The job's progress: its segments' progress weighted by the seconds each holds. */
    private double jobProgress(Segment current, double progress) {
        double done = 0;
        double total = 0;
        for (Segment unit : segments.ofJob(current.jobId())) {
            if (unit.stitchStep()) {
                continue;
            }
            double p = unit.index() == current.index() ? progress : unit.progress();
            done += p * unit.seconds();
            total += unit.seconds();
        }
        return total <= 0 ? 0 : Math.min(0.99, done / total);
    }

    private void failJob(Job job, JobError error) {
        Optional<Job> failed = jobs.fail(job.id(), SegmentRepository.OWNER, error);
        if (failed.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "job {0}: FAILED {1}: {2}", job.id(), error.code(), error.message());
        metrics.outcome(error.code());
        cleanUp(job.id());
        publisher.publish(Topic.MP3, failed.get());
    }

    private void retryOrGiveUp(Job job, Segment unit, String owner, Exception e) throws Exception {
        if (unit.attempts() >= settings.maxAttempts()) {
            LOG.log(System.Logger.Level.WARNING, "job {0} segment {1}: attempt {2} failed, giving up", job.id(),
                    unit.index(), unit.attempts(), e);
            failJob(job, new JobError(MediaRejectedException.INTERNAL_ERROR, "segment " + (unit.index() + 1)
                    + " failed " + unit.attempts() + " times; last error: " + e.getMessage()));
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "job {0} segment {1}: attempt {2} failed, will retry: {3}", job.id(),
                unit.index(), unit.attempts(), e.toString());
        metrics.outcome("retry");
        try {
            segments.release(unit, owner);
        } catch (RuntimeException releaseFailure) {
            e.addSuppressed(releaseFailure);
        }
        throw e;
    }
}
