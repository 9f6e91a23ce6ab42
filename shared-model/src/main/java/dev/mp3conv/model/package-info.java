/**
 * Records shared by the mp3conv CLI and server: HTTP API bodies, queue messages,
 * problem details and job states, with their JSON mapping. No framework types here.
 */
package dev.mp3conv.model;
