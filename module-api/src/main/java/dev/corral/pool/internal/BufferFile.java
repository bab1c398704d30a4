package dev.corral.pool.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The temporary file behind one {@link ResponseBuffer}: made on first use ({@link SpillFile}:
 * private, unlinked at once), written at a position by the buffer's writer and read back by its
 * drain task, which keep the positions (the buffer's lock orders them: nobody reads a range
 * before its write is done). A write that fails (a full disk) makes the file unusable for good,
 * and so does {@link #close}: the buffer then goes on in memory alone. The first failure in the
 * JVM is logged, once.
 *
 * <p>Thread-safety: the channel is made and closed under this object's lock; the positional
 * reads and writes need none.
 */
final class BufferFile {
    private static final System.Logger LOG = System.getLogger("dev.corral.request");
    private static volatile boolean diskFailureLogged;

    private final Path dir;
    private final String describe;
    private FileChannel channel;
    private boolean broken;
    /** Closed by {@link #close}: a write that fails then is no disk failure. */
    private boolean closed;

    /** A file in {@code dir}, not made yet; {@code describe} names the request in the log line of a failure. */
    BufferFile(Path dir, String describe) {
        this.dir = dir;
        this.describe = describe;
    }

    /** Whether the file can no longer be used (a write failed, or it was closed). */
    synchronized boolean broken() {
        return broken;
    }

    /** Writes all of {@code b[off, off+len)} at {@code position}; false if the file cannot be used (it is broken for good). */
    boolean write(byte[] b, int off, int len, long position) {
        try {
            FileChannel file = channel();
            ByteBuffer data = ByteBuffer.wrap(b, off, len);
            long at = position;
            while (data.hasRemaining()) {
                at += file.write(data, at);
            }
            return true;
        } catch (IOException e) {
            boolean released;
            synchronized (this) {
                broken = true;
                released = closed;
            }
            if (!released && !diskFailureLogged) {
                diskFailureLogged = true;
                LOG.log(Level.WARNING, "response buffering to disk failed ({0}) for {1}: responses wait for their"
                        + " clients in memory (up to responseBufferSize) instead; no request fails for it", e.toString(), describe);
            }
            return false;
        }
    }

    /** Reads {@code n} bytes written before at {@code position} into the start of {@code into}. */
    void read(byte[] into, int n, long position) throws IOException {
        FileChannel file;
        synchronized (this) {
            file = channel;
        }
        if (file == null) {
            throw new IOException("the response buffer file is gone");
        }
        ByteBuffer data = ByteBuffer.wrap(into, 0, n);
        long at = position;
        while (data.hasRemaining()) {
            int read = file.read(data, at);
            if (read < 0) {
                throw new IOException("the response buffer file ended early");
            }
            at += read;
        }
    }

    /** Frees the file's space (it is unlinked already); it cannot be used afterwards. */
    void close() {
        FileChannel file;
        synchronized (this) {
            file = channel;
            channel = null;
            broken = true;
            closed = true;
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // unlinked already: closing frees its space, and a failure leaves nothing to do
            }
        }
    }

    private FileChannel channel() throws IOException {
        synchronized (this) {
            if (broken) {
                throw new IOException("the buffer file failed before");
            }
            if (channel != null) {
                return channel;
            }
        }
        // made outside the lock (three system calls); the writer alone makes it
        FileChannel made = SpillFile.create(dir, "response-");
        synchronized (this) {
            if (closed) {   // the buffer was released meanwhile
                try {
                    made.close();
                } catch (IOException ignored) {
                    // unlinked already
                }
                throw new IOException("the response buffer was released");
            }
            channel = made;
            return made;
        }
    }
}
