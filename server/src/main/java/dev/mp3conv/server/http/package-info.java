/**
 * HTTP plumbing shared by the roles: problem details (RFC 9457) for every error, mapped once,
 * and JSON request/response bodies through the project's one {@link dev.mp3conv.model.Json} mapping.
 */
package dev.mp3conv.server.http;
