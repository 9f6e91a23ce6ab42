package dev.mp3conv.server.converter;

import dev.mp3conv.model.JobError;

/**
 * The input cannot become an MP3, whatever we retry: the job fails for good with this reason.
 */
final class MediaRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** No audio stream. */
    static final String NO_AUDIO = "no-audio";
    /** Not a media file, corrupt, truncated, empty. */
    static final String INVALID_MEDIA = "invalid-media";
    /** The uploaded video is gone (deleted while queued). */
    static final String MISSING_INPUT = "missing-input";
    /** The job asks for a bitrate or quality MP3 cannot have. */
    static final String INVALID_OPTIONS = "invalid-options";
    /** The input claims, or decodes to, more audio than {@code converter.max-duration}. */
    static final String TOO_LONG = "too-long";
    /** ffmpeg ran past the job's time budget. */
    static final String TIMEOUT = "timeout";
    /** Unexpected faults on every attempt. */
    static final String INTERNAL_ERROR = "internal-error";

    private final transient JobError error;

    MediaRejectedException(String code, String message) {
        this(code, message, null);
    }

    MediaRejectedException(String code, String message, String detail) {
        super(code + ": " + message + (detail == null ? "" : " (" + detail + ")"));
        this.error = new JobError(code, message, detail);
    }

    /**
     * ffmpeg could not open the input as media (random bytes, a truncated header, a text file):
     * one line the user understands, ffmpeg's own line kept as the detail.
     *
     * @param ffmpegSays ffmpeg's reason
     * @return the rejection
     */
    static MediaRejectedException unreadable(String ffmpegSays) {
        return new MediaRejectedException(INVALID_MEDIA, "not a video or audio file that can be read", ffmpegSays);
    }

    JobError error() {
        return error;
    }
}
