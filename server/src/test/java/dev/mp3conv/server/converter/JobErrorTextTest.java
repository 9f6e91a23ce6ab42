package dev.mp3conv.server.converter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobErrorTextTest {
    @Test
    void serverPathsUrlsAndIdsBecomePlaceholders() {
        assertThat(JobErrorText.clean("/srv/mp3conv/data/converter-tmp/w-1/x -> /srv/mp3conv/data/blobs/ab/"
                + "0123456789abcdef0123456789abcdef: Operation not permitted"))
                .isEqualTo("<path> -> <path> Operation not permitted");
        assertThat(JobErrorText.clean("[concat] Impossible to open 'file:/var/lib/mp3conv/blobs/4f/x'"))
                .isEqualTo("[concat] Impossible to open 'file:<path>'");
        assertThat(JobErrorText.clean("input: Connection refused http://127.0.0.1:41234/media/Zm9vYmFy and "
                + "mongodb://app:secret@db:27017/mp3conv")).isEqualTo("input: Connection refused <url> and <url>");
        assertThat(JobErrorText.clean("blob 65f1c0ffee0123456789abcd of user 65f1c0ffee0123456789abce lost"))
                .isEqualTo("blob <id> of user <id> lost");
        assertThat(JobErrorText.clean("sent to bob@example.org")).isEqualTo("sent to <email>");
    }

    @Test
    void ordinaryFfmpegReasonsStayReadable() {
        String reason = "moov atom not found (input: Invalid data found when processing input)";
        assertThat(JobErrorText.clean(reason)).isEqualTo(reason);
        assertThat(JobErrorText.clean("Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s; I/O error"))
                .isEqualTo("Audio: mp3, 44100 Hz, stereo, fltp, 128 kb/s; I/O error");
    }

    @Test
    void controlAndInvisibleCharactersAreRemovedAndTheLineIsBounded() {
        String hostile = "bad\r\nFAKE LOG LINE\u001b[31m red\u0000 nul\u2028sep\u202Eesrever\u200Bzw\u0085nel";
        String clean = JobErrorText.clean(hostile);
        assertThat(clean).isEqualTo("bad FAKE LOG LINE [31m red nul sep esrever zw nel");
        assertThat(clean.codePoints()).noneMatch(cp -> Character.isISOControl(cp)
                || Character.getType(cp) == Character.FORMAT || cp == 0x2028 || cp == 0x2029);
        assertThat(JobErrorText.clean("x".repeat(5000))).hasSize(JobErrorText.MAX_LENGTH);
        assertThat(JobErrorText.clean(null)).isEqualTo("no reason given");
    }
}
