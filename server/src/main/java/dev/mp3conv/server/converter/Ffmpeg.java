package dev.mp3conv.server.converter;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

import dev.mp3conv.server.OwnerOnly;
import dev.mp3conv.server.StartupException;

/**
 * The ffmpeg executable this process drives, and ffprobe when one sits beside it.
 * Resolution order: config {@code converter.ffmpeg} (a path, or {@code bundled}) → {@code ffmpeg}
 * on {@code PATH} → the static binary shipped in {@code ws.schild:jave-nativebin-linux64}, extracted
 * once under the data directory.
 *
 * @param executable ffmpeg
 * @param ffprobe    ffprobe next to it, if any (the bundled build has none: probing then parses {@code ffmpeg -i})
 * @param origin     where it came from, for the start-up log
 */
record Ffmpeg(Path executable, Optional<Path> ffprobe, String origin) {
    /** Config value that forces the bundled binary even when ffmpeg is on PATH. */
    static final String BUNDLED = "bundled";

    private static final String BUNDLED_RESOURCE = "ws/schild/jave/nativebin/ffmpeg-amd64";
    private static final String BUNDLED_POM = "META-INF/maven/ws.schild/jave-nativebin-linux64/pom.properties";

    static Ffmpeg resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            String value = configured.get().trim();
            if (BUNDLED.equals(value)) {
                return bundled(dataDir);
            }
            Path path = value.contains(File.separator) ? Path.of(value) : onPath(value)
                    .orElseThrow(() -> new StartupException("converter.ffmpeg: no executable '" + value + "' on PATH"));
            if (!Files.isExecutable(path)) {
                throw new StartupException("converter.ffmpeg: " + path + " is not an executable file");
            }
            return of(path, "configured (converter.ffmpeg)");
        }
        return onPath("ffmpeg").map(path -> of(path, "from PATH")).orElseGet(() -> bundled(dataDir));
    }

    private static Ffmpeg of(Path executable, String origin) {
        Path probe = executable.resolveSibling("ffprobe");
        return new Ffmpeg(executable, Files.isExecutable(probe) ? Optional.of(probe) : Optional.empty(), origin);
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Extracts the bundled binary once: it is named after the jar's version, so an upgrade extracts
     * the new one, and a restart reuses the file when its size matches the resource.
     */
    private static Ffmpeg bundled(Path dataDir) {
        ClassLoader loader = Ffmpeg.class.getClassLoader();
        URL resource = loader.getResource(BUNDLED_RESOURCE);
        if (resource == null) {
            throw new StartupException("no ffmpeg: none on PATH, converter.ffmpeg unset, and the bundled binary "
                    + "(jave-nativebin-linux64) is not on the classpath");
        }
        try {
            Path target = dataDir.resolve("ffmpeg").resolve("jave-" + bundledVersion(loader)).resolve("ffmpeg");
            long expected = resource.openConnection().getContentLengthLong();
            if (!Files.isExecutable(target) || Files.size(target) != expected) {
                extract(resource, target);
            } else {
                // extracted by an older version with rwxr-xr-x
                Files.setPosixFilePermissions(target, OwnerOnly.EXECUTABLE);
            }
            return new Ffmpeg(target, Optional.empty(), "bundled (jave-nativebin-linux64, extracted to " + target + ")");
        } catch (IOException e) {
            throw new StartupException("cannot extract the bundled ffmpeg under " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static void extract(URL resource, Path target) throws IOException {
        OwnerOnly.createDirectories(target.getParent());
        // several processes may share a data dir: write aside, then rename into place
        Path part = Files.createTempFile(target.getParent(), "ffmpeg", ".part");
        try (InputStream in = resource.openStream()) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(part, OwnerOnly.EXECUTABLE);
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static String bundledVersion(ClassLoader loader) throws IOException {
        try (InputStream in = loader.getResourceAsStream(BUNDLED_POM)) {
            if (in == null) {
                return "unknown";
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version", "unknown");
        }
    }
}
