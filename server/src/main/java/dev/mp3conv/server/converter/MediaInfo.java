package dev.mp3conv.server.converter;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What probing found in an input.
 *
 * @param duration  container duration in seconds, when known
 * @param audio     the first audio stream, empty when there is none
 * @param container the demuxer's names as ffmpeg prints them ({@code mov,mp4,m4a,3gp,3g2,mj2},
 *                  {@code matroska,webm}), empty when unknown
 */
record MediaInfo(OptionalDouble duration, Optional<AudioStream> audio, String container) {
    MediaInfo {
        container = container == null ? "" : container;
    }

    /**
     * What probing found, the container unknown.
     *
     * @param duration container duration in seconds, when known
     * @param audio    the first audio stream, empty when there is none
     */
    MediaInfo(OptionalDouble duration, Optional<AudioStream> audio) {
        this(duration, audio, "");
    }

    /**
     * How long the converted audio should be: the audio stream's own duration when the container
     * states it, else the container's (which may be longer when the video outlasts the sound).
     *
     * @return seconds, when known
     */
    OptionalDouble expectedAudioSeconds() {
        return audio.flatMap(a -> a.duration().isPresent() ? Optional.of(a.duration().getAsDouble()) : Optional.empty())
                .map(OptionalDouble::of)
                .orElse(duration);
    }

    /**
     * One audio stream.
     *
     * @param codec      codec name as ffmpeg spells it ({@code aac}, {@code mp3}, {@code opus}, …)
     * @param sampleRate samples per second, 0 when unknown
     * @param channels   channel count, 0 when unknown
     * @param bitRate    bits per second, when stated
     * @param duration   stream duration in seconds, when stated
     */
    record AudioStream(String codec, int sampleRate, int channels, OptionalLong bitRate, OptionalDouble duration) {
    }
}
