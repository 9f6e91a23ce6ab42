package dev.mp3conv.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart lives in charts/ with this test module inside it (charts/tests/): {@code helm package}
 * (and so {@code helm install charts/}) must carry every chart file and nothing of the tests.
 */
class PackagedChartTest {

    @Test
    void packageHoldsTheChartFilesAndNoTestSources(@TempDir Path out) throws IOException {
        new Helm(Chart.DIR).packageIt().withDestination(out).call();

        Path tgz;
        try (Stream<Path> files = Files.list(out)) {
            tgz = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst().orElseThrow();
        }
        List<String> packaged = entries(tgz);

        assertThat(packaged).as("package entries").isNotEmpty()
                .allMatch(name -> name.startsWith("mp3conv/"))
                .noneMatch(name -> name.startsWith("mp3conv/tests/"))
                .noneMatch(name -> name.contains("/target/") || name.endsWith(".java") || name.endsWith("pom.xml"))
                .contains("mp3conv/Chart.yaml", "mp3conv/values.yaml", "mp3conv/values.schema.json",
                        "mp3conv/templates/tests/test-health.yaml");
        // Nothing of the chart itself is left out either: every file in charts/ outside tests/ is packaged.
        assertThat(packaged.stream().map(name -> name.substring("mp3conv/".length())))
                .containsExactlyInAnyOrderElementsOf(chartFilesOnDisk());
    }

    private static List<String> entries(Path tgz) throws IOException {
        List<String> names = new ArrayList<>();
        // the JDK's gzip reader: Helm writes a gzip "extra" field that is not in subfield form, which
        // commons-compress's GzipCompressorInputStream rejects
        try (InputStream in = Files.newInputStream(tgz);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isFile()) {
                    names.add(entry.getName());
                }
            }
        }
        return names;
    }

    private static List<String> chartFilesOnDisk() throws IOException {
        Path tests = Chart.DIR.resolve("tests");
        // build output anywhere (.helmignore's target/), e.g. charts/target left by the module's old place
        try (Stream<Path> files = Files.walk(Chart.DIR)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(tests))
                    .filter(p -> !Chart.DIR.relativize(p).toString().replace('\\', '/').matches("(.*/)?target/.*"))
                    .map(p -> Chart.DIR.relativize(p).toString().replace('\\', '/'))
                    .toList();
        }
    }
}
