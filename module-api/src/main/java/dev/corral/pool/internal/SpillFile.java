package dev.corral.pool.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The temporary files of the request and response buffers: created private (0600) in the
 * buffers' directory and unlinked at once, so that only the open channel holds the file and
 * nothing is left on disk however the exchange ends (the JVM's crash included); closing the
 * channel frees the space. Stateless.
 */
final class SpillFile {
    private SpillFile() {
    }

    /** A new, already unlinked file in {@code dir} (made if missing), open for reading and writing. */
    static FileChannel create(Path dir, String prefix) throws IOException {
        Files.createDirectories(dir);
        Path path = Files.createTempFile(dir, prefix, ".buf",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(path);   // unlinked at once: nothing can be left behind
        }
    }
}
