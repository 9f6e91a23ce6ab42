package dev.mp3conv.server.converter;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ffmpeg (and ffprobe) may open for a job: one container from a fixed list of audio and video
 * demuxers, through the one protocol its input address needs. An upload is hostile: ffmpeg's own
 * demuxers follow references (ffconcat and HLS playlists name other files and URLs, image2 expands
 * patterns, {@code subfile} and {@code data:} slice or inline other inputs), so anything that is not
 * a plain media container is refused before it reads a byte beyond the upload.
 *
 * <p>ffmpeg checks {@code -format_whitelist} against every name of the demuxer it probed
 * ({@code mov,mp4,m4a,3gp,3g2,mj2} matches {@code mov}); the names are the same in the Debian ffmpeg
 * 5.1 and the static 4.4.1 bundled with jave (listed with {@code ffmpeg -demuxers}). A demuxer that
 * opens nested inputs passes both lists on to them.
 */
final class InputAllowList {
    /**
     * Containers a video or audio upload can be: MP4/MOV/M4A/3GP, Matroska/WebM, AVI, MPEG-TS and
     * MPEG-PS, FLV, ASF (WMV/WMA), WAV/W64, MP3, Ogg, FLAC, raw AAC/AC-3/E-AC-3/DTS, AMR, AIFF, CAF,
     * WavPack, APE, AU, DV. None of them opens another file: MOV's external data references
     * ({@code enable_drefs}) are off unless asked for.
     */
    static final String DEMUXERS = String.join(",", "mov", "matroska", "avi", "mpegts", "mpeg", "flv", "asf",
            "wav", "w64", "mp3", "ogg", "flac", "aac", "ac3", "eac3", "dts", "amr", "aiff", "caf", "wv", "ape",
            "au", "dv");

    private static final Pattern FORMAT_REFUSED = Pattern.compile("^\\[(\\w+)\\] Format not on whitelist");
    private static final Pattern PROTOCOL_REFUSED = Pattern.compile("Protocol '(\\w+)' not on whitelist");

    private InputAllowList() {
    }

    /**
     * The options to put before {@code -i address}.
     *
     * @param address what ffmpeg reads: {@code file:…} or the loopback {@code http://127.0.0.1…} URL
     * @return {@code -format_whitelist …} and {@code -protocol_whitelist …}
     */
    static List<String> options(String address) {
        return List.of("-format_whitelist", DEMUXERS, "-protocol_whitelist", protocols(address));
    }

    /**
     * The protocols an input address needs, and nothing else.
     *
     * @param address {@code file:…}, {@code http://…} or {@code pipe:…}
     * @return ffmpeg protocol names
     */
    static String protocols(String address) {
        if (address.startsWith("http://")) {
            return "http,tcp";
        }
        if (address.startsWith("pipe:")) {
            return "pipe";
        }
        if (address.startsWith("file:")) {
            return "file";
        }
        throw new IllegalArgumentException("not an input address the converter makes");
    }

    /**
     * Turns ffmpeg's refusal ("[hls] Format not on whitelist 'mov,…'") into a reason a user can read;
     * other reasons are returned as they are.
     *
     * @param reason ffmpeg's reason for a failure
     * @return the reason to record
     */
    /**
     * Why ffmpeg could not read an input, as the job's error: an input the allow-lists refused says so
     * (it names another file, URL or a container that may), anything else is unreadable media; either way
     * ffmpeg's own line is the detail.
     *
     * @param reason ffmpeg's line
     * @return the rejection
     */
    static MediaRejectedException rejection(String reason) {
        String explained = explain(reason);
        return explained.equals(reason) ? MediaRejectedException.unreadable(reason)
                : new MediaRejectedException(MediaRejectedException.INVALID_MEDIA, explained, reason);
    }

    static String explain(String reason) {
        Matcher format = FORMAT_REFUSED.matcher(reason);
        if (format.find()) {
            return "the file is not an accepted audio or video container (ffmpeg reads it as '" + format.group(1)
                    + "', which may name other files or URLs)";
        }
        Matcher protocol = PROTOCOL_REFUSED.matcher(reason);
        if (protocol.find()) {
            return "the file refers to another input ('" + protocol.group(1) + "'), which is not read";
        }
        return reason;
    }
}
