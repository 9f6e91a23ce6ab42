/**
 * The jobs collection, source of truth for every conversion: records, atomic state changes
 * (claims with leases, completion, notification claims) and the sweeper that republishes
 * what the queue may have lost.
 */
package dev.mp3conv.server.jobs;
