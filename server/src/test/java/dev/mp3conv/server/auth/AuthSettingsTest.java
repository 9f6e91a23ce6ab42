package dev.mp3conv.server.auth;

import java.util.Map;

import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuthSettingsTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void defaultHashingThreadsFitAQuarterOfTheHeap() {
        // 7 MiB per running hash: a 64 MiB heap holds two in its quarter, whatever the cores
        assertThat(AuthSettings.defaultHashingThreads(64, 64 * MIB)).isEqualTo(2);
        assertThat(AuthSettings.defaultHashingThreads(2, 64 * MIB)).isEqualTo(2);
        assertThat(AuthSettings.defaultHashingThreads(1, 64 * MIB)).isEqualTo(1);
        assertThat(AuthSettings.defaultHashingThreads(64, 256 * MIB)).isEqualTo(9);
        assertThat(AuthSettings.defaultHashingThreads(4, 256 * MIB)).isEqualTo(4);
        assertThat(AuthSettings.defaultHashingThreads(64, 16 * MIB)).as("at least one").isEqualTo(1);
        assertThat(2 * PasswordHasher.MEMORY_KIB * 1024L).isLessThanOrEqualTo((long) (64 * MIB * AuthSettings.HASHING_HEAP_SHARE));
    }

    @Test
    void unsetThreadsTakeTheDefaultAndTheSettingOverridesIt() {
        AuthSettings unset = AuthSettings.from(Settings.load(Map.of(), Map.of()).get("auth"));
        assertThat(unset.hashingThreads()).isEqualTo(AuthSettings.defaultHashingThreads(
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory()));
        AuthSettings set = AuthSettings.from(Settings.load(Map.of(), Map.of("auth.hashing.threads", "12")).get("auth"));
        assertThat(set.hashingThreads()).isEqualTo(12);
        AuthSettings env = AuthSettings.from(Settings.load(Map.of("AUTH_HASHING_THREADS", "5"), Map.of()).get("auth"));
        assertThat(env.hashingThreads()).isEqualTo(5);
    }
}
