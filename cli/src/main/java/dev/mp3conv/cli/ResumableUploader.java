package dev.mp3conv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tus.java.client.FingerprintNotFoundException;
import io.tus.java.client.ProtocolException;
import io.tus.java.client.ResumingNotEnabledException;
import io.tus.java.client.TusClient;
import io.tus.java.client.TusUpload;
import io.tus.java.client.TusUploader;

/**
 * Uploads a video through the server's tus endpoint with tus-java-client, in requests of {@code chunkSize}
 * bytes so a proxy's request limit never applies to the whole file. Each upload's URL is remembered by the
 * file's fingerprint in {@link UploadUrls} until it finishes, so running the same command again after a
 * crash or Ctrl-C resumes at the offset the server stored ("resuming at 41% ..."); an upload the server no
 * longer knows (404, or 410 once expired) starts anew.
 */
final class ResumableUploader {
    /** How much the tus client writes at once: small, so progress and {@code --limit-rate} stay smooth. */
    private static final int WRITE_SIZE = 64 * 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ApiClient api;
    private final UploadUrls urls;
    private final Environment env;
    private final PrintWriter err;
    private final int chunkSize;
    private final long bytesPerSecond;

    /**
     * @param chunkSize      bytes per PATCH request
     * @param bytesPerSecond upload speed cap, 0 for none
     */
    ResumableUploader(ApiClient api, UploadUrls urls, Environment env, PrintWriter err, int chunkSize,
                      long bytesPerSecond) {
        this.api = api;
        this.urls = urls;
        this.env = env;
        this.err = err;
        this.chunkSize = chunkSize;
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Uploads (or resumes uploading) one file.
     *
     * @param video       the file
     * @param contentType its media type
     * @param fields      encoding options, sent as Upload-Metadata like the multipart form fields
     * @return the job id (the upload's id)
     */
    String upload(Path video, String contentType, Map<String, String> fields) throws IOException {
        long size = Files.size(video);
        String name = video.getFileName().toString();
        TusClient client = client();
        TusUpload upload = new TusUpload();
        upload.setSize(size);
        upload.setFingerprint(UploadUrls.fingerprint(api.uploadsEndpoint(), video));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("filename", name);
        metadata.put("filetype", contentType);
        metadata.putAll(fields);
        upload.setMetadata(metadata);
        try (InputStream in = new FileUploadStream(video, bytesPerSecond)) {
            upload.setInputStream(in);
            TusUploader uploader = resumeOrCreate(client, upload);
            long start = uploader.getOffset();
            if (start > 0) {
                err.println("Uploading " + name + ": resuming at " + (start * 100 / Math.max(1, size)) + "% ("
                        + Bytes.human(start) + " of " + Bytes.human(size) + ")");
                err.flush();
            }
            uploader.setChunkSize(WRITE_SIZE);
            uploader.setRequestPayloadSize(chunkSize);
            try (Progress progress = Progress.open(env, err, "Uploading " + name, Progress.Unit.BYTES, size, start)) {
                while (uploader.uploadChunk() > -1) {
                    progress.update(uploader.getOffset());
                }
                uploader.finish();
                progress.update(size);
            }
            String path = uploader.getUploadURL().getPath();
            return path.substring(path.lastIndexOf('/') + 1);
        } catch (ProtocolException e) {
            throw failure(e);
        }
    }

    private TusUploader resumeOrCreate(TusClient client, TusUpload upload) throws ProtocolException, IOException {
        try {
            return client.resumeUpload(upload);
        } catch (FingerprintNotFoundException | ResumingNotEnabledException e) {
            return client.createUpload(upload);
        } catch (ProtocolException e) {
            int status = status(e);
            if (status == 404 || status == 410) {
                // finished elsewhere, terminated, or expired on the server: start over
                urls.remove(upload.getFingerprint());
                return client.createUpload(upload);
            }
            throw e;
        }
    }

    private TusClient client() {
        TusClient client = new TusClient() {
            @Override
            public void prepareConnection(HttpURLConnection connection) {
                super.prepareConnection(connection);
                connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            }
        };
        try {
            client.setUploadCreationURL(api.uploadsEndpoint().toURL());
        } catch (MalformedURLException e) {
            throw new CliException(ExitCode.USAGE, "not a server URL: " + api.uploadsEndpoint(), e);
        }
        client.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        client.setHeaders(Map.of("Authorization", "Bearer " + api.bearerToken()));
        client.enableResuming(urls);
        client.enableRemoveFingerprintOnSuccess();
        return client;
    }

    /** The server's answer as the rest of the CLI reports it: its problem detail, or "log in". */
    private static RuntimeException failure(ProtocolException e) {
        HttpURLConnection connection = e.getCausingConnection();
        int status = status(e);
        if (connection == null || status <= 0) {
            return new CliException(ExitCode.ERROR, "upload failed: " + e.getMessage(), e);
        }
        String body = "";
        try (InputStream in = connection.getErrorStream()) {
            if (in != null) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
        } catch (IOException ignored) {
            // the status alone says enough
        }
        return ApiClient.failure(status, body, connection.getHeaderField("Retry-After"));
    }

    private static int status(ProtocolException e) {
        try {
            return e.getCausingConnection() == null ? -1 : e.getCausingConnection().getResponseCode();
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
    }
}
