package dev.mp3conv.server.converter;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Starts ffmpeg so that it dies with this JVM, even by {@code kill -9} (which runs no shutdown hook):
 * under {@code setpriv --pdeathsig KILL}, which has the kernel send SIGKILL to the child when its parent
 * goes. ffmpeg ignores SIGPIPE and may read a linked file and write an MP3 file without touching a
 * pipe for minutes, so it would otherwise convert on as an orphan.
 *
 * <p>The kernel's "parent" is the thread that started the child, not the process: a child started on a
 * pooled or virtual thread's carrier would be killed when that carrier thread retires. So every child
 * starts on one platform thread that lives as long as the JVM. Without {@code setpriv} (util-linux
 * before 2.33, or none) children start plainly and a warning says what is lost.
 */
final class ChildProcesses {
    private static final System.Logger LOG = System.getLogger(ChildProcesses.class.getName());
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("child-process-launcher").factory());
    private static final Optional<List<String>> PREFIX = prefix();

    private ChildProcesses() {
    }

    /**
     * Starts a process that is killed when this JVM ends.
     *
     * @param builder the process (its command is prefixed, the rest used as it is)
     * @return the running process (ffmpeg itself: setpriv replaces itself with it)
     * @throws IOException when it cannot start
     */
    static Process start(ProcessBuilder builder) throws IOException {
        if (PREFIX.isPresent()) {
            List<String> command = new ArrayList<>(PREFIX.get());
            command.addAll(builder.command());
            builder.command(command);
        }
        Future<Process> started = LAUNCHER.submit(builder::start);
        try {
            return started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + builder.command().getLast(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a process", e);
        }
    }

    /**
     * Whether children die with this JVM.
     *
     * @return true when {@code setpriv --pdeathsig} is used
     */
    static boolean tiedToThisProcess() {
        return PREFIX.isPresent();
    }

    private static Optional<List<String>> prefix() {
        Optional<Path> setpriv = onPath("setpriv");
        if (setpriv.isPresent()) {
            List<String> prefix = List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--");
            try {
                List<String> probe = new ArrayList<>(prefix);
                probe.add("true");
                Process check = new ProcessBuilder(probe).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0) {
                    return Optional.of(prefix);
                }
                check.destroyForcibly();
            } catch (IOException e) {
                // fall through to the warning
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.log(System.Logger.Level.WARNING, "no working 'setpriv --pdeathsig' (util-linux 2.33+): an ffmpeg "
                + "started by this process may outlive it if it is killed with SIGKILL");
        return Optional.empty();
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isBlank() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
