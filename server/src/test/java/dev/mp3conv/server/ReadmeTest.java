package dev.mp3conv.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README renders as meant: Markdown ends a table at the first line that is not a row.
 */
class ReadmeTest {
    @Test
    void apiTableHoldsEveryRouteRowIncludingTheAdminOnes() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../README.md"));
        int header = lines.indexOf("| route | notes |");
        assertThat(header).as("the API table's header").isNotNegative();
        List<String> table = new ArrayList<>();
        for (int i = header; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            table.add(lines.get(i));
        }
        List<String> routeRows = lines.stream()
                .filter(line -> line.startsWith("| `") || line.startsWith("| seed ") || line.startsWith("| admin "))
                .filter(line -> lines.indexOf(line) > header)
                .toList();
        assertThat(table).containsAll(routeRows);
        assertThat(table).anyMatch(row -> row.startsWith("| admin `GET :9080/observe/metrics`"));
    }
}
