package dev.corral.pool.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The temporary files of the request and response buffers: created private (0600) in the
 * buffers' directory and unlinked at once, so that only the open channel holds the file and
 * nothing is left on disk however the exchange ends (the JVM's crash included); closing the
 * channel frees the space. Stateless.
 *
 * <p>A streamed response larger than {@code responseBufferSize} makes one of these whenever its
 * client is busier than the app (bench/run's big256: every response), so making one costs three
 * system calls (an exclusive create, the unlink, and later the close), not the eight and the
 * thrown exception of {@code Files.createDirectories} plus {@code Files.createTempFile} and a
 * second open: the directory is made only when the create finds it missing. The name (the JVM's
 * pid and a count) needs no secret part: the exclusive create ({@code O_EXCL}) neither follows
 * a link nor opens a file that is there already; a name left taken (a file of a JVM that died
 * with the same pid before its unlink) makes it try the next one.
 */
final class SpillFile {
    private static final Set<OpenOption> CREATE =
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** How many names are tried before a create fails (each taken name is another file's). */
    private static final int NAME_ATTEMPTS = 8;
    /** The JVM's pid and a count make names that another JVM sharing the directory does not make. */
    private static final String JVM = Long.toString(ProcessHandle.current().pid(), 36) + "-";
    private static final AtomicLong COUNT = new AtomicLong();

    private SpillFile() {
    }

    /** A new, already unlinked file in {@code dir} (made if missing), open for reading and writing. */
    static FileChannel create(Path dir, String prefix) throws IOException {
        FileAlreadyExistsException taken = null;
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
            Path path = dir.resolve(prefix + JVM + Long.toString(COUNT.incrementAndGet(), 36) + ".buf");
            FileChannel channel;
            try {
                channel = open(dir, path);
            } catch (FileAlreadyExistsException e) {
                taken = e;
                continue;
            }
            try {
                Files.delete(path);   // unlinked at once: nothing can be left behind
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return channel;
        }
        throw taken;
    }

    private static FileChannel open(Path dir, Path path) throws IOException {
        try {
            return FileChannel.open(path, CREATE, PRIVATE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(dir);   // the first file, or the directory was removed meanwhile
            return FileChannel.open(path, CREATE, PRIVATE);
        }
    }
}
