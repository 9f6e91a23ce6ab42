package dev.mp3conv.server.converter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputAllowListTest {
    @Test
    void eachInputAddressGetsOnlyTheProtocolItNeeds() {
        assertThat(InputAllowList.options("file:/data/converter-tmp/w/j-1/input"))
                .containsExactly("-format_whitelist", InputAllowList.DEMUXERS, "-protocol_whitelist", "file");
        assertThat(InputAllowList.protocols("http://127.0.0.1:4711/media/token")).isEqualTo("http,tcp");
        assertThat(InputAllowList.protocols("pipe:0")).isEqualTo("pipe");
        assertThatThrownBy(() -> InputAllowList.protocols("/bare/path")).isInstanceOf(IllegalArgumentException.class);
        assertThat(InputAllowList.DEMUXERS.split(",")).contains("mov", "matroska", "mpegts", "wav", "flac")
                .doesNotContain("concat", "hls", "dash", "image2", "sdp", "rtsp", "tee");
    }

    @Test
    void ffmpegsRefusalsBecomeAReasonAUserCanRead() {
        assertThat(InputAllowList.explain("[hls] Format not on whitelist 'mov,matroska' (input: Invalid argument)"))
                .isEqualTo("the file is not an accepted audio or video container (ffmpeg reads it as 'hls', "
                        + "which may name other files or URLs)");
        assertThat(InputAllowList.explain("Protocol 'subfile' not on whitelist 'file'!"))
                .isEqualTo("the file refers to another input ('subfile'), which is not read");
        assertThat(InputAllowList.explain("moov atom not found")).isEqualTo("moov atom not found");
    }
}
