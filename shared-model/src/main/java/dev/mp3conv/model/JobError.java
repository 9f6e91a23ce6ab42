package dev.mp3conv.model;

/**
 * Why a job failed, or why its notification failed.
 *
 * @param code    stable machine-readable code, e.g. {@code no-audio}, {@code invalid-media}
 * @param message one human-readable line
 * @param detail  the tool's own words behind it (e.g. ffmpeg's last line), or null
 */
public record JobError(String code, String message, String detail) {
    /**
     * A reason without a detail.
     *
     * @param code    stable machine-readable code
     * @param message one human-readable line
     */
    public JobError(String code, String message) {
        this(code, message, null);
    }
}
