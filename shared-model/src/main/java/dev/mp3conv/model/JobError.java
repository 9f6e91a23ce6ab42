package dev.mp3conv.model;

/**
 * Why a job failed, or why its notification failed.
 *
 * @param code    stable machine-readable code, e.g. {@code no-audio}, {@code invalid-media}
 * @param message one human-readable line
 */
public record JobError(String code, String message) {
}
