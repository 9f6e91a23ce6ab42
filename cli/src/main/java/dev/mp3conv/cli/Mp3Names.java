package dev.mp3conv.cli;

import java.nio.file.Path;

/**
 * File names for MP3s: the video's name with {@code .mp3} instead of its extension.
 */
final class Mp3Names {
    private Mp3Names() {
    }

    /**
     * @param original file name as the user or the server gave it, possibly with directories
     * @param fallback stem to use when the name is empty or unusable (the job id)
     */
    static String of(String original, String fallback) {
        String name = original == null ? "" : original.replaceAll(".*[/\\\\]", "").replaceAll("\\p{Cntrl}", "");
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        if (stem.isBlank() || stem.startsWith(".")) {
            stem = fallback;
        }
        return stem + ".mp3";
    }

    static Path beside(Path video, Path dir) {
        return dir.resolve(of(video.getFileName().toString(), "output"));
    }
}
