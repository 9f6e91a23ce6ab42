/**
 * Job transport: the {@link dev.mp3conv.server.queue.JobQueue} contract (at-least-once delivery,
 * manual ack, bounded redelivery, dead letters) with an in-process implementation for the
 * single-machine stack and a RabbitMQ one for clusters.
 */
package dev.mp3conv.server.queue;
