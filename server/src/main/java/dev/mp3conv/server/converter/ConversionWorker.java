package dev.mp3conv.server.converter;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.mp3conv.model.JobError;
import dev.mp3conv.model.JobMessage;
import dev.mp3conv.model.JobState;
import dev.mp3conv.model.LoudnessReport;
import dev.mp3conv.server.jobs.ExpirySweep;
import dev.mp3conv.server.jobs.Job;
import dev.mp3conv.server.jobs.JobCompletion;
import dev.mp3conv.server.jobs.JobPublisher;
import dev.mp3conv.server.jobs.JobRepository;
import dev.mp3conv.server.jobs.StorageQuota;
import dev.mp3conv.server.queue.Delivery;
import dev.mp3conv.server.queue.JobQueue;
import dev.mp3conv.server.queue.MessageHandler;
import dev.mp3conv.server.queue.Topic;
import dev.mp3conv.server.storage.BlobInfo;
import dev.mp3conv.server.storage.BlobStore;

/**
 * Handles {@code video} messages (DESIGN.md §8): claim the job, convert with ffmpeg, store the MP3,
 * judge it by what ffmpeg's own summary of the input said ({@link ConversionVerdict}: opened, audio present,
 * duration covered; a separate probe runs only when the output is shorter than the container), mark the job DONE,
 * publish {@code mp3}, ack. A bad input ends as a FAILED job with a reason and
 * its {@code mp3} message (the owner hears about failures too); the message is acked, never retried.
 * Unexpected faults (a store down) release the job and are thrown, so the queue redelivers; after
 * {@code converter.max-attempts} claims the job fails as {@code internal-error} instead of looping.
 * Messages for DONE, FAILED, deleted or otherwise held jobs are acked and skipped. A job whose owner already
 * has {@code converter.per-user} jobs converting goes back to the queue shortly ({@link FairShare}); one
 * whose input claims or decodes to more than {@code converter.max-duration} fails {@code too-long}
 * ({@link MediaLimits}). Inputs are hostile: see {@link InputAllowList} and {@link JobInput}.
 * A long input is handed over to segments once ffmpeg's summary shows its length ({@link SegmentSplitter}),
 * and messages for segments go to the {@link SegmentWorker}.
 */
public final class ConversionWorker implements MessageHandler {
    private static final System.Logger LOG = System.getLogger(ConversionWorker.class.getName());

    private final String workerId;
    private final ConverterSettings settings;
    private final JobRepository jobs;
    private final BlobStore blobs;
    private final JobQueue queue;
    private final JobPublisher publisher;
    private final MediaProbe probe;
    private final AudioPreparation preparation;
    private final Mp3Transcoder transcoder;
    private final LoopbackMediaServer loopback;
    private final ConverterScratch scratch;
    private final ConversionMetrics metrics;
    private final ScheduledExecutorService ticker;
    private final FairShare fairShare;
    private final JobCompletion completion;
    private final ExpirySweep retention;
    private final Set<RunningConversion> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile SegmentSplitter splitter;
    private volatile SegmentWorker segmentWorker;
    private volatile StreamedConversions streams;

    ConversionWorker(String workerId, ConverterSettings settings, JobRepository jobs, BlobStore blobs, JobQueue queue,
                     JobPublisher publisher, MediaProbe probe, Mp3Transcoder transcoder, LoopbackMediaServer loopback,
                     ConverterScratch scratch, ConversionMetrics metrics, ScheduledExecutorService ticker,
                     StorageQuota quota, AudioPreparation preparation) {
        this.workerId = workerId;
        this.settings = settings;
        this.jobs = jobs;
        this.blobs = blobs;
        this.queue = queue;
        this.publisher = publisher;
        this.probe = probe;
        this.preparation = preparation;
        this.transcoder = transcoder;
        this.loopback = loopback;
        this.scratch = scratch;
        this.metrics = metrics;
        this.ticker = ticker;
        this.fairShare = new FairShare(jobs, publisher, settings.perUser(), ticker);
        this.completion = new JobCompletion(jobs, quota);
        this.retention = new ExpirySweep(jobs, blobs, quota, 1);
    }

    /**
     * Converts long inputs in segments (docs/architecture.md, "Segments"): the splitter decides from
     * ffmpeg's summary, the segment worker takes the messages that carry a segment index.
     *
     * @param splitter      splits long jobs
     * @param segmentWorker handles segment messages
     */
    void segmentLongInputs(SegmentSplitter splitter, SegmentWorker segmentWorker) {
        this.splitter = splitter;
        this.segmentWorker = segmentWorker;
        // segments are conversions of their owner's: they count against converter.per-user and wait their turn
        fairShare.countSegments(segmentWorker.segments());
        segmentWorker.shareFairly(fairShare);
    }

    /**
     * Converts uploads chosen for streaming while they arrive (issue 24; {@link StreamedConversions}).
     *
     * @param streams the streamed conversions
     */
    void followUploads(StreamedConversions streams) {
        this.streams = streams;
    }

    @Override
    public void handle(Delivery delivery) throws Exception {
        JobMessage message = delivery.message();
        if (message.segment() != null && segmentWorker != null) {
            segmentWorker.handle(delivery);
            return;
        }
        if (stopping) {
            // shutting down: hand the message to another worker without claiming the job
            queue.publish(Topic.VIDEO, message);
            return;
        }
        if (fairShare.ownerBusy(message)) {
            awaitTurn(message);
            return;
        }
        String owner = ClaimOwner.next(workerId);
        Optional<Job> claimed = jobs.claim(message.jobId(), owner, settings.lease());
        if (claimed.isEmpty() && streams != null) {
            claimed = streams.claim(message, owner);
        }
        if (claimed.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "job {0}: not claimable (finished, deleted or held), skipped", message.jobId());
            metrics.outcome("skipped");
            return;
        }
        boolean streamed = claimed.get().state() == JobState.UPLOADING;
        if (fairShare.overShare(claimed.get())
                && (streamed ? streams.unclaim(claimed.get(), owner) : jobs.unclaim(message.jobId(), owner))) {
            awaitTurn(message);
            return;
        }
        RunningConversion conversion = new RunningConversion(claimed.get(), owner);
        if (streamed) {
            streams.started(conversion);
        }
        running.add(conversion);
        long every = settings.renewEvery().toMillis();
        ScheduledFuture<?> renewal = ticker.scheduleAtFixedRate(() -> tick(conversion), every, every, TimeUnit.MILLISECONDS);
        try {
            convert(conversion);
        } catch (MediaRejectedException e) {
            if (streamed) {
                // judged again on the stored upload, where a seekable input may read what a stream could not
                streams.giveUp(conversion, "ffmpeg could not convert it as it arrived: " + e.error().message());
            } else {
                fail(conversion.job(), owner, e.error());
            }
        } catch (IOException e) {
            if (streamed) {
                streams.giveUp(conversion, e.getMessage());
            } else {
                retryOrGiveUp(conversion.job(), owner, e);
            }
        } catch (Exception e) {
            retryOrGiveUp(conversion.job(), owner, e);
        } finally {
            renewal.cancel(false);
            running.remove(conversion);
            if (streamed) {
                streams.ended(conversion);
            }
            Optional<Integer> segment = splitter == null ? Optional.empty() : splitter.keptSegment(conversion);
            if (segment.isPresent()) {
                // handed over to segments: this slot encodes one of them at once, without the queue hop
                segmentWorker.take(conversion.job(), segment.get());
            }
        }
    }

    /**
     * Stops every conversion in flight (their jobs are released for another worker) and makes
     * further deliveries go back to the queue unclaimed.
     */
    void stop() {
        stopping = true;
        running.forEach(c -> c.stop(RunningConversion.Stop.SHUTDOWN));
        fairShare.flush();
    }

    /** The owner has {@code converter.per-user} jobs converting: this one waits its turn in the queue. */
    private void awaitTurn(JobMessage message) {
        LOG.log(System.Logger.Level.DEBUG, "job {0}: its owner has {1} job(s) converting, back to the queue shortly",
                message.jobId(), String.valueOf(settings.perUser()));
        metrics.outcome("waiting");
        fairShare.later(message);
    }

    /** Whether this input's audio can be stream-copied into an MP3: false when ffmpeg named another codec. */
    private static boolean copiesAsMp3(MediaInfo media) {
        return media.audio().filter(audio -> !"mp3".equals(audio.codec())).isEmpty();
    }

    private void convert(RunningConversion conversion) throws Exception {
        Job job = conversion.job();
        conversion.budget(0, settings.timeoutFor(0));
        boolean streamed = streams != null && streams.streamed(conversion);
        try (JobInput input = streamed ? streams.input(conversion) : JobInput.open(job, blobs, loopback, scratch)) {
            try {
                if (endIfStopped(conversion)) {
                    return;
                }
                Consumer<MediaInfo> summary = media -> learnDuration(conversion, media);
                // tags, cover, loudness measured over the whole input (docs/architecture.md, "Audio options")
                AudioPreparation.Prepared prepared = preparation.prepare(conversion, input.address(), summary);
                if (endIfStopped(conversion)) {
                    return;
                }
                Mp3Encoding encoding = prepared.encoding();
                boolean copyIfMp3 = false;
                if (prepared.read().isPresent()) {
                    // a loudness job's tag read printed the input's summary: a long input goes to segments
                    // without a whole-job run (a streamed job is one run: converted while the rest arrives)
                    if (!streamed && prepared.read().get().opened()
                            && splitBeforeRun(conversion, prepared.read().get().media(), prepared)) {
                        return;
                    }
                } else if (encoding.streamCopy()) {
                    // nothing was read before the run: it encodes, ended at its summary for a stream copy when
                    // that names MP3 audio, so other audio never costs a copy attempt that the MP3 muxer refuses
                    // (a whole ffmpeg run per job, bench/scaling.sh)
                    encoding = Mp3Encoding.standard();
                    copyIfMp3 = true;
                }
                Mp3Transcoder.Tagging tagging = prepared.tagging();
                Consumer<MediaInfo> watched = splitter == null || streamed ? summary
                        : splitter.watch(conversion, encoding, summary);
                AtomicBoolean mp3Source = new AtomicBoolean();
                Mp3Transcoder.Result result = transcoder.transcode(job, input.address(), encoding, tagging, conversion,
                        copyIfMp3 ? media -> copyInstead(conversion, media, summary, watched, mp3Source) : watched);
                if (mp3Source.get()) {
                    // ended at its summary (a short input may have been written by then: not kept)
                    result.blob().ifPresent(blob -> blobs.delete(blob.id()));
                    if (endIfStopped(conversion)) {
                        return;
                    }
                    encoding = prepared.encoding();
                    result = transcoder.transcode(job, input.address(), encoding, tagging, conversion, summary);
                }
                if (splitInSegments(conversion, result, prepared, input.address())) {
                    return;
                }
                if (encoding.streamCopy() && result.exitCode() != 0 && conversion.stopped().isEmpty()
                        && !copiesAsMp3(result.media())) {
                    // the MP3 muxer refused to copy audio that is not MP3: encode it
                    encoding = Mp3Encoding.standard();
                    if (splitter != null && !streamed && splitter.offer(conversion, result.media(), encoding)
                            && splitInSegments(conversion, result, prepared, input.address())) {
                        return;
                    }
                    if (endIfStopped(conversion)) {
                        return;
                    }
                    result = transcoder.transcode(job, input.address(), encoding, tagging, conversion, summary);
                }
                keepOrDiscard(conversion, input, encoding, result, prepared.job().loudness());
            } catch (MediaRejectedException e) {
                if (input.failed()) {
                    throw new IOException("the blob store failed while ffmpeg read the video", e);
                }
                throw e;
            }
        }
    }

    /**
     * The summary listener of an encoding run of a job that asks for nothing: a source whose audio is MP3 ends
     * the run at once (it is copied instead, {@code mp3Source} tells the caller), any other goes on as
     * {@code watched} says (segments for a long input).
     */
    private static void copyInstead(RunningConversion conversion, MediaInfo media, Consumer<MediaInfo> summary,
                                    Consumer<MediaInfo> watched, AtomicBoolean mp3Source) {
        if (media.audio().filter(audio -> "mp3".equals(audio.codec())).isEmpty()) {
            watched.accept(media);
            return;
        }
        // an MP3 source stays a copy, never segments
        summary.accept(media);
        mp3Source.set(true);
        conversion.endRun();
    }

    /**
     * Hands a long job over to its segments from the tag read's summary, before any whole-job run: the
     * encoding is the one its run would end with (audio that is not MP3 is encoded, never copied).
     * True when the job now belongs to its segments or has failed ({@code too-long}, thrown).
     */
    private boolean splitBeforeRun(RunningConversion conversion, MediaInfo media, AudioPreparation.Prepared prepared)
            throws Exception {
        if (splitter == null) {
            return false;
        }
        boolean encoded = !prepared.encoding().streamCopy()
                || media.audio().filter(audio -> !"mp3".equals(audio.codec())).isPresent();
        // the prepared job: a loudness job's segments apply the gain measured (and recorded) for the whole input
        if (!encoded || !splitter.offer(conversion, media, SegmentSplitter.encodingOf(prepared.job()))) {
            return false;
        }
        learnDuration(conversion, media);
        if (endIfStopped(conversion)) {
            return true;
        }
        if (!splitter.split(conversion, prepared.read().orElseThrow().tags(), deadlineOf(conversion))) {
            // stopped meanwhile (a lost lease, the budget, a shutdown)
            return endIfStopped(conversion);
        }
        metrics.outcome("segmented");
        return true;
    }

    /** Hands a long job over to its segments if the splitter planned them; true when it did. */
    private boolean splitInSegments(RunningConversion conversion, Mp3Transcoder.Result result,
                                    AudioPreparation.Prepared prepared, String input) throws Exception {
        if (splitter == null || !splitter.planned(conversion)) {
            return false;
        }
        SourceTags tags = preparation.tagsForSplit(prepared, result, input);
        if (!splitter.split(conversion, tags, deadlineOf(conversion))) {
            return false;
        }
        // the stopped run may have streamed part of an MP3 into the store
        result.blob().ifPresent(blob -> blobs.delete(blob.id()));
        metrics.outcome("segmented");
        return true;
    }

    /**
     * When the job's time budget runs out, on the store's clock: its segments share the one budget this
     * conversion started (the job's duration is known by now, so it is the whole job's).
     */
    private Instant deadlineOf(RunningConversion conversion) {
        return jobs.now().plus(conversion.remaining());
    }

    /**
     * ffmpeg has said what the input holds: the time budget follows its duration, and the job
     * records it (for progress) from a thread of its own, so that ffmpeg's stderr keeps flowing.
     */
    private void learnDuration(RunningConversion conversion, MediaInfo media) {
        OptionalDouble duration = media.duration();
        if (duration.isEmpty() || conversion.expectedSeconds() > 0) {
            return;
        }
        double seconds = duration.getAsDouble();
        conversion.budget(seconds, settings.timeoutFor(seconds));
        if (settings.limits().tooLong(seconds)) {
            // refused before ffmpeg writes hours of audio; the job records nothing of a claim it will not keep
            conversion.stop(RunningConversion.Stop.TOO_LONG);
            return;
        }
        conversion.durationWrite(Thread.ofVirtual().name("duration-" + conversion.job().id()).start(() -> {
            try {
                jobs.recordDuration(conversion.job().id(), conversion.owner(), seconds);
            } catch (RuntimeException e) {
                // only progress needs it; completing the job tells whether the store is there
                LOG.log(System.Logger.Level.WARNING, "job {0}: cannot record the duration: {1}",
                        conversion.job().id(), e.toString());
            }
        }));
    }

    /** Acts on the verdict over a finished run: completes the job with the MP3, or deletes the MP3 and throws. */
    private void keepOrDiscard(RunningConversion conversion, JobInput input, Mp3Encoding encoding,
                               Mp3Transcoder.Result result, LoudnessReport loudness) throws Exception {
        boolean kept = false;
        try {
            if (endIfStopped(conversion)) {
                return;
            }
            ConversionVerdict verdict;
            if (streams != null && streams.streamed(conversion)) {
                if (result.exitCode() != 0 || result.blob().isEmpty()) {
                    throw new IOException("ffmpeg could not convert it as it arrived: " + result.reason());
                }
                // judged like any job once the upload is complete, by a probe of the stored (seekable) upload:
                // ffmpeg reading it as it arrived may not have known what the whole file claims (an MP3's frame
                // count), so the duration limit and the coverage check use what the stored file says
                Job uploaded = streams.awaitUploaded(conversion, result.media().duration());
                if (endIfStopped(conversion)) {
                    return;
                }
                MediaInfo stored = probeStored(uploaded, conversion);
                OptionalDouble claimed = stored.expectedAudioSeconds();
                if (claimed.isPresent() && settings.limits().tooLong(claimed.getAsDouble())) {
                    throw tooLong(claimed.getAsDouble());
                }
                Mp3Transcoder.Result judged = result.media().duration().isPresent() ? result
                        : new Mp3Transcoder.Result(result.blob(), result.sha256(), result.exitCode(), result.outSeconds(),
                                result.reason(), new MediaInfo(stored.duration(), result.media().audio()), result.opened(),
                                result.outputLoudness(), result.splitTags(), result.taps());
                verdict = ConversionVerdict.of(judged, input.failed(), encoding, settings.limits(), () -> claimed);
            } else {
                verdict = ConversionVerdict.of(result, input.failed(), encoding, settings.limits(),
                        () -> probe.probe(input.address(), conversion::attachHelper).expectedAudioSeconds());
            }
            switch (verdict) {
                case ConversionVerdict.Keep keep -> {
                    // a short job may finish before its duration is written: the DONE job has it
                    conversion.awaitDurationWrite(Duration.ofSeconds(10));
                    if (loudness != null && result.outputLoudness().isPresent()) {
                        jobs.recordLoudness(conversion.job().id(), conversion.owner(), loudness.withOutput(
                                result.outputLoudness().get().lufs(), result.outputLoudness().get().truePeakDbtp()));
                    }
                    kept = complete(conversion.job(), keep.mp3(), result.sha256(), encoding, keep.bitrate(), conversion,
                            keep.audioSeconds());
                }
                case ConversionVerdict.Reject reject -> throw new MediaRejectedException(reject.error().code(),
                        reject.error().message(), reject.error().detail());
                case ConversionVerdict.StoreFault fault -> throw new IOException(fault.message());
            }
        } finally {
            if (!kept) {
                result.blob().ifPresent(blob -> blobs.delete(blob.id()));
            }
        }
    }

    private MediaInfo probeStored(Job job, RunningConversion conversion) throws IOException, MediaRejectedException {
        try (JobInput stored = JobInput.open(job, blobs, loopback, scratch)) {
            return probe.probe(stored.address(), conversion::attachHelper);
        }
    }

    private MediaRejectedException tooLong(double claimedSeconds) {
        return new MediaRejectedException(MediaRejectedException.TOO_LONG, "the file says it lasts "
                + MediaLimits.describe(claimedSeconds) + ", more than the limit of " + settings.limits().describe());
    }

    private boolean complete(Job job, BlobInfo mp3, String sha256, Mp3Encoding encoding, String bitrate,
                             RunningConversion conversion, double audioSeconds) {
        Job done;
        switch (completion.complete(job, conversion.owner(), mp3, sha256, bitrate)) {
            case JobCompletion.Done d -> done = d.job();
            case JobCompletion.DoneUnanswered u -> {
                return true;
            }
            case JobCompletion.NotHeld n -> {
                LOG.log(System.Logger.Level.INFO, "job {0}: lease lost before completion, MP3 discarded", job.id());
                metrics.outcome("lease-lost");
                return false;
            }
        }
        metrics.converted(conversion.elapsed(), audioSeconds);
        LOG.log(System.Logger.Level.INFO, "job {0}: DONE in {1} ms ({2}, {3} bytes)", job.id(),
                String.valueOf(conversion.elapsed().toMillis()), encoding.streamCopy() ? "stream copy" : "encoded",
                String.valueOf(mp3.length()));
        publisher.publish(Topic.MP3, done);
        try {
            retention.deleteVideoIfDue(done);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job {0}: video not deleted yet, the sweeper will: {1}",
                    job.id(), e.toString());
        }
        return true;
    }

    /**
     * Ends a conversion that was stopped from outside, as its stop asks: a time or duration limit rejects
     * the input (thrown), a shutdown releases the job and puts it back on the queue, a lost lease or a
     * hand-over to segments lets it go.
     *
     * @return true when it was stopped and must not go on
     */
    private boolean endIfStopped(RunningConversion conversion) throws MediaRejectedException {
        Optional<RunningConversion.Stop> stop = conversion.stopped();
        if (stop.isEmpty()) {
            return false;
        }
        Job job = conversion.job();
        switch (stop.get()) {
            case TOO_LONG -> throw tooLong(conversion.expectedSeconds());
            case TIMEOUT -> throw new MediaRejectedException(MediaRejectedException.TIMEOUT,
                    "the conversion ran longer than its budget of " + conversion.budget().toSeconds() + " s");
            case LEASE_LOST -> {
                LOG.log(System.Logger.Level.INFO, "job {0}: lease lost, conversion abandoned", job.id());
                metrics.outcome("lease-lost");
            }
            case SEGMENTED -> LOG.log(System.Logger.Level.DEBUG, "job {0}: converted in segments", job.id());
            case STREAM_ABANDONED -> streams.giveUp(conversion, "the streaming conversion gave up");
            case UPLOAD_GONE -> {
                LOG.log(System.Logger.Level.INFO, "job {0}: the upload was terminated or expired, conversion cancelled",
                        job.id());
                metrics.outcome("cancelled");
            }
            case SHUTDOWN -> {
                if (streams != null && streams.streamed(conversion)) {
                    streams.release(conversion);
                    return true;
                }
                if (jobs.release(job.id(), conversion.owner())) {
                    LOG.log(System.Logger.Level.INFO, "job {0}: released on shutdown", job.id());
                    metrics.outcome("released");
                    publisher.publish(Topic.VIDEO, job);
                }
            }
        }
        return true;
    }

    private void tick(RunningConversion conversion) {
        if (streams != null && streams.tick(conversion)) {
            return;
        }
        if (conversion.pastDeadline()) {
            conversion.stop(RunningConversion.Stop.TIMEOUT);
            return;
        }
        try {
            if (!jobs.renew(conversion.job().id(), conversion.owner(), settings.lease(), conversion.progress())) {
                conversion.stop(RunningConversion.Stop.LEASE_LOST);
            }
        } catch (RuntimeException e) {
            // the lease may run out; complete() then tells whether this worker still holds the job
            LOG.log(System.Logger.Level.WARNING, "job {0}: cannot renew the lease: {1}", conversion.job().id(), e.toString());
        }
    }

    private void fail(Job job, String owner, JobError raw) {
        // the owner reads this, and so does the log: no paths, ids or control characters
        JobError error = new JobError(raw.code(), JobErrorText.clean(raw.message()),
                raw.detail() == null ? null : JobErrorText.clean(raw.detail()));
        Optional<Job> failed = jobs.fail(job.id(), owner, error);
        if (failed.isEmpty()) {
            metrics.outcome("lease-lost");
            return;
        }
        LOG.log(System.Logger.Level.INFO, "job {0}: FAILED {1}: {2}", job.id(), error.code(), error.message());
        metrics.outcome(error.code());
        publisher.publish(Topic.MP3, failed.get());
    }

    private void retryOrGiveUp(Job job, String owner, Exception e) throws Exception {
        if (job.attempts() >= settings.maxAttempts()) {
            LOG.log(System.Logger.Level.WARNING, "job {0}: attempt {1} failed, giving up", job.id(), job.attempts(), e);
            fail(job, owner, new JobError(MediaRejectedException.INTERNAL_ERROR,
                    "conversion failed " + job.attempts() + " times; last error: " + e.getMessage()));
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "job {0}: attempt {1} failed, will retry: {2}", job.id(), job.attempts(),
                e.toString());
        metrics.outcome("retry");
        try {
            jobs.release(job.id(), owner);
        } catch (RuntimeException releaseFailure) {
            e.addSuppressed(releaseFailure);
        }
        throw e;
    }
}
