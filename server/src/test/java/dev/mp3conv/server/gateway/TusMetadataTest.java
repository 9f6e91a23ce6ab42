package dev.mp3conv.server.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.mp3conv.server.http.ProblemException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TusMetadataTest {
    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesPairsAsTusJsClientSendsThem() {
        assertThat(TusMetadata.parse("filename " + b64("Vidéo 1.mp4") + ",filetype " + b64("video/mp4") + ",flag"))
                .containsExactly(java.util.Map.entry("filename", "Vidéo 1.mp4"),
                        java.util.Map.entry("filetype", "video/mp4"), java.util.Map.entry("flag", ""));
        assertThat(TusMetadata.parse(null)).isEmpty();
        assertThat(TusMetadata.parse("  ")).isEmpty();
    }

    @Test
    void refusesWhatIsMalformedOrBeyondItsBounds() {
        for (String bad : new String[] {"a b c", "bad!key " + b64("x"), "a " + b64("1") + ",a " + b64("2"),
                "a %%%", "a " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe}),
                "a " + b64("x".repeat(1025)), "x ".repeat(2100), "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", ","}) {
            assertThatThrownBy(() -> TusMetadata.parse(bad)).as(bad.length() > 60 ? bad.substring(0, 60) : bad)
                    .isInstanceOf(ProblemException.class);
        }
    }
}
