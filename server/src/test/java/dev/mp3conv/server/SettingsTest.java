package dev.mp3conv.server;

import java.time.Duration;
import java.util.Map;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {
    @Test
    void documentedEnvironmentVariablesWinOverTheFile() {
        Config config = Settings.load(Map.of("SERVER_PORT", "18081", "APP_ROLES", "gateway", "MONGODB_URI", " "),
                Map.of());
        assertThat(config.get("server.port").asInt().get()).isEqualTo(18081);
        assertThat(config.get("app.roles").asString().get()).isEqualTo("gateway");
        assertThat(config.get("admin.port").asInt().get()).as("file default").isEqualTo(9080);
        assertThat(config.get("mongodb.uri").exists()).as("blank env is unset").isFalse();
    }

    @Test
    void overridesWinOverTheEnvironment() {
        Config config = Settings.load(Map.of("SERVER_PORT", "1"), Map.of("server.port", "2"));
        assertThat(config.get("server.port").asInt().get()).isEqualTo(2);
    }

    @Test
    void durationsAndSizesTakeHumanForms() {
        assertThat(Settings.parseDuration("PT1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Settings.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Settings.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Settings.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Settings.parseDuration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Settings.parseSize("4g")).isEqualTo(4L << 30);
        assertThat(Settings.parseSize("512MiB")).isEqualTo(512L << 20);
        assertThat(Settings.parseSize("1024")).isEqualTo(1024);
    }

    @Test
    void unreadableValuesNameTheKey() {
        Config config = Settings.load(Map.of(), Map.of("gateway.max-upload-size", "lots"));
        assertThatThrownBy(() -> Settings.size(config.get("gateway.max-upload-size"), 1))
                .isInstanceOf(StartupException.class)
                .hasMessage("configuration gateway.max-upload-size: cannot read 'lots'");
    }

    @Test
    void rolesParse() {
        assertThat(Role.parse("")).containsExactlyInAnyOrder(Role.values());
        assertThat(Role.parse(" Gateway , converter ")).containsExactlyInAnyOrder(Role.GATEWAY, Role.CONVERTER);
        assertThatThrownBy(() -> Role.parse(",")).isInstanceOf(StartupException.class);
    }

    @Test
    void everyDocumentedVariableIsMapped() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/configuration.md"));
        java.util.regex.Matcher rows = java.util.regex.Pattern.compile("^\\| `([A-Z0-9_]+)` \\| `([a-z0-9.-]+)`",
                java.util.regex.Pattern.MULTILINE).matcher(doc);
        int count = 0;
        while (rows.find()) {
            assertThat(Settings.ENV_KEYS).as("docs/configuration.md row %s", rows.group(1))
                    .containsEntry(rows.group(1), rows.group(2));
            count++;
        }
        assertThat(count).isEqualTo(Settings.ENV_KEYS.size());
    }
}
