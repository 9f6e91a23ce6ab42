package dev.mp3conv.server.auth;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The stored hash form, and that hashes made with the earlier parameters keep verifying. */
class PasswordHasherTest {
    /** Made by the previous parameters (19 MiB, 2 passes) for "old password from before". */
    private static final String EARLIER_HASH =
            "$argon2id$v=19$m=19456,t=2,p=1$sOc+8GUEMS0Kiy3R+cNZQQ$7GpRXpwhGYu7CXsf5DGPuM0PhvxnI5a6nAci6XJ/E3U";

    @Test
    void newHashesCarryTheirParametersAndSaltAndVerify() {
        try (HashingPool pool = new HashingPool(1, Duration.ofSeconds(30))) {
            PasswordHasher hasher = new PasswordHasher(pool);
            String hash = hasher.hash("correct horse battery");

            assertThat(hash).startsWith("$argon2id$v=19$m=7168,t=5,p=1$");
            assertThat(hasher.hash("correct horse battery")).as("a new salt each time").isNotEqualTo(hash);
            assertThat(hasher.matches("correct horse battery", hash)).isTrue();
            assertThat(hasher.matches("correct horse batterY", hash)).isFalse();
        }
    }

    @Test
    void hashesMadeWithTheEarlierParametersStillVerify() {
        try (HashingPool pool = new HashingPool(1, Duration.ofSeconds(30))) {
            PasswordHasher hasher = new PasswordHasher(pool);

            assertThat(hasher.matches("old password from before", EARLIER_HASH)).isTrue();
            assertThat(hasher.matches("old password from befor", EARLIER_HASH)).isFalse();
            assertThat(hasher.matches("old password from before", "$argon2id$v=19$m=19456,t=2,p=1$garbage")).isFalse();
        }
    }
}
