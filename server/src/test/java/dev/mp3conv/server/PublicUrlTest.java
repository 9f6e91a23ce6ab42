package dev.mp3conv.server;

import java.util.Map;

import io.helidon.config.Config;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default public URL (Location headers, email links) names the port the server listens on.
 */
class PublicUrlTest {
    private static String publicUrl(Map<String, String> env, Map<String, String> overrides) {
        Config config = Settings.load(env, overrides);
        return config.get("app.public-url").asString().orElseThrow();
    }

    @Test
    void followsServerPortUnlessSetItself() {
        assertThat(publicUrl(Map.of(), Map.of())).isEqualTo("http://localhost:8080");
        assertThat(publicUrl(Map.of("SERVER_PORT", "18081"), Map.of())).isEqualTo("http://localhost:18081");
        assertThat(publicUrl(Map.of(), Map.of("server.port", "18082"))).isEqualTo("http://localhost:18082");
        assertThat(publicUrl(Map.of("SERVER_PORT", "18081", "PUBLIC_URL", "https://mp3.example.org"), Map.of()))
                .isEqualTo("https://mp3.example.org");
    }
}
