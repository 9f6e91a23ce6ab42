package dev.mp3conv.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}.
 *
 * @param type     URI reference naming the problem type ({@code about:blank} when only the status matters)
 * @param title    short summary of the problem type
 * @param status   HTTP status code
 * @param detail   explanation of this occurrence, shown to users as is
 * @param instance URI reference of the occurrence, usually the request path
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {
    /** Media type of a serialised problem. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * A problem of type {@code about:blank}.
     *
     * @param status HTTP status
     * @param title  summary, usually the reason phrase
     * @param detail explanation for the user
     * @return the problem
     */
    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null);
    }

    /**
     * This problem with the given instance.
     *
     * @param instance request path or other URI reference
     * @return a copy
     */
    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance);
    }
}
