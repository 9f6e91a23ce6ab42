package dev.mp3conv.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Whether a resumable upload is converted while its bytes still arrive, and why (issue 24).
 *
 * @param mode               {@value #STREAMING} (a converter reads the upload as it arrives) or
 *                           {@value #AFTER_UPLOAD} (converted once every byte is stored, as a multipart upload)
 * @param container          the container told from the first bytes, e.g. {@code matroska}, {@code mp4},
 *                           {@code unknown}
 * @param reason             why, in a few words
 * @param conversionProgress while streaming: 0..1 of the conversion, beside the job's upload progress; else null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobStreaming(String mode, String container, String reason, Double conversionProgress) {
    /** Converted while the upload arrives. */
    public static final String STREAMING = "streaming";
    /** Converted after the upload. */
    public static final String AFTER_UPLOAD = "after-upload";
}
