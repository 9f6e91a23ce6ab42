package dev.mp3conv.server.jobs;

import java.time.Instant;
import java.util.Map;

/**
 * One unit of work of a job converted in segments (DESIGN.md §8): encoding one time range of the
 * input, or (index = {@code count}) stitching the encoded ranges into the MP3. Stored in the
 * {@code segments} collection, claimed, leased and retried like a whole job.
 *
 * @param jobId       the job
 * @param index       0..count-1 for the encodes, {@code count} for the stitch step
 * @param count       number of encoded segments
 * @param state       {@link #WAITING} (the stitch, until every encode is done), {@link #QUEUED},
 *                    {@link #CONVERTING}, {@link #DONE}
 * @param attempts    claims so far
 * @param leaseUntil  while CONVERTING: when the claim expires unless renewed
 * @param leaseOwner  while CONVERTING: the worker holding it
 * @param progress    0..1 of this segment
 * @param sampleRate  the input's sample rate
 * @param startSample first input sample the encode reads
 * @param endSample   input sample where the encode stops (exclusive), -1 to the end
 * @param keepFrom    first encoded frame kept in the stitched file
 * @param keepBefore  first encoded frame not kept, -1 for the last segment
 * @param seconds     seconds of input the kept frames hold (weights the job's progress)
 * @param blobId      the encoded segment's blob once DONE
 * @param publishedAt when its message was last confirmed by the queue
 * @param updatedAt   last change
 * @param deadline    when the job's time budget runs out (one budget for all its units, from the
 *                    claim of the whole job that split it); null for units planned without one
 * @param tags        the stitch step's: the ID3 tags of the MP3 ({@code title}, {@code artist},
 *                    {@code date}, {@code comment}), read once when the job was split; null when
 *                    not recorded (the stitch step then reads them)
 * @param seek        whether the encode seeks to {@code startSample} by timestamp instead of counting the
 *                    decoder's samples from the first; false once the timestamps were found to disagree
 * @param checkSample the next segment's first sample when that one seeks: this encode prints the timestamp of
 *                    the sample it counts there, to verify it; -1 when there is nothing to verify
 */
public record Segment(String jobId, int index, int count, String state, int attempts, Instant leaseUntil,
                      String leaseOwner, double progress, int sampleRate, long startSample, long endSample,
                      int keepFrom, int keepBefore, double seconds, String blobId, Instant publishedAt,
                      Instant updatedAt, Instant deadline, Map<String, String> tags, boolean seek,
                      long checkSample) {
    /** The stitch step before every encode is done. */
    public static final String WAITING = "WAITING";
    /** Ready to be claimed. */
    public static final String QUEUED = "QUEUED";
    /** Claimed by {@link #leaseOwner()}. */
    public static final String CONVERTING = "CONVERTING";
    /** Encoded (or, for the stitch step, stitched). */
    public static final String DONE = "DONE";

    /**
     * A new encode unit, QUEUED.
     *
     * @param jobId       job
     * @param index       segment index
     * @param count       number of segments
     * @param sampleRate  input sample rate
     * @param startSample first sample read
     * @param endSample   end sample (exclusive) or -1
     * @param keepFrom    first kept frame
     * @param keepBefore  first frame not kept, or -1
     * @param seconds     seconds of input kept
     * @return the unit
     */
    public static Segment encode(String jobId, int index, int count, int sampleRate, long startSample, long endSample,
                                 int keepFrom, int keepBefore, double seconds) {
        return new Segment(jobId, index, count, QUEUED, 0, null, null, 0.0, sampleRate, startSample, endSample,
                keepFrom, keepBefore, seconds, null, null, null, null, null, false, -1);
    }

    /**
     * The stitch unit of a job, WAITING.
     *
     * @param jobId      job
     * @param count      number of segments
     * @param sampleRate input sample rate
     * @return the unit
     */
    public static Segment stitch(String jobId, int count, int sampleRate) {
        return new Segment(jobId, count, count, WAITING, 0, null, null, 0.0, sampleRate, 0, -1, 0, -1, 0, null,
                null, null, null, null, false, -1);
    }

    /**
     * This unit with the job's deadline.
     *
     * @param until when the job's time budget runs out
     * @return the unit
     */
    public Segment until(Instant until) {
        return new Segment(jobId, index, count, state, attempts, leaseUntil, leaseOwner, progress, sampleRate,
                startSample, endSample, keepFrom, keepBefore, seconds, blobId, publishedAt, updatedAt, until, tags,
                seek, checkSample);
    }

    /**
     * This encode unit seeking to its start or not, and verifying the next one's start or not.
     *
     * @param seeks   whether it seeks
     * @param checkAt the next unit's first sample when that one seeks, else -1
     * @return the unit
     */
    public Segment seeking(boolean seeks, long checkAt) {
        return new Segment(jobId, index, count, state, attempts, leaseUntil, leaseOwner, progress, sampleRate,
                startSample, endSample, keepFrom, keepBefore, seconds, blobId, publishedAt, updatedAt, deadline, tags,
                seeks, checkAt);
    }

    /**
     * This unit with the MP3's tags (for the stitch step).
     *
     * @param mp3Tags tag name to value, values already cleaned and bounded
     * @return the unit
     */
    public Segment tagged(Map<String, String> mp3Tags) {
        return new Segment(jobId, index, count, state, attempts, leaseUntil, leaseOwner, progress, sampleRate,
                startSample, endSample, keepFrom, keepBefore, seconds, blobId, publishedAt, updatedAt, deadline,
                mp3Tags == null ? null : Map.copyOf(mp3Tags), seek, checkSample);
    }

    /**
     * Whether this is the stitch step.
     *
     * @return true for index = count
     */
    public boolean stitchStep() {
        return index == count;
    }
}
