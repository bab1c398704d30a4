package dev.corral.pool.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * A request body read whole before its request takes a process ({@code bufferRequestBody}), so
 * that a slow upload never holds one: in memory up to a limit, the rest in a private temporary
 * file (0600, unlinked as soon as it is made, like {@link ResponseBuffer}'s). It can be read any
 * number of times ({@link #open()}), so a request that must go to another process still has it.
 *
 * <p>Lifetime: one request; {@link #release()} frees the file once the request has ended. Not
 * thread-safe: read by the thread that owns the request, then by one forwarding thread at a time.
 */
final class RequestBody {
    private static final int PIECE = 64 * 1024;
    private final byte[] head;
    private final FileChannel file;
    private final long length;

    private RequestBody(byte[] head, FileChannel file, long length) {
        this.head = head;
        this.file = file;
        this.length = length;
    }

    /** Why a body was not read whole: too large, or too slow. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Outcome.Failure failure;

        Refused(Outcome.Failure failure) {
            super(failure.toString(), null, false, false);
            this.failure = failure;
        }
    }

    /**
     * Reads the whole body from {@code in}.
     *
     * @param max         the largest body accepted (0 = no limit)
     * @param memoryLimit the bytes kept in memory before the file is used
     * @param dir         where the temporary file goes
     * @param clock       the engine's clock (nanoseconds)
     * @param deadline    the clock's value by which the body must be complete
     * @throws Refused     the body is larger than {@code max}, or did not come by {@code deadline}
     * @throws IOException the client's connection failed (it left)
     */
    static RequestBody read(InputStream in, long max, long memoryLimit, Path dir, LongSupplier clock, long deadline)
            throws Refused, IOException {
        ByteArrayOutputStream memory = new ByteArrayOutputStream((int) Math.min(memoryLimit, 16 * 1024));
        FileChannel file = null;
        long total = 0;
        byte[] piece = new byte[PIECE];
        try {
            while (true) {
                int n = in.read(piece);
                if (n < 0) {
                    break;
                }
                total += n;
                if (max > 0 && total > max) {
                    throw new Refused(new Outcome.BodyTooLarge(-1));
                }
                if (clock.getAsLong() - deadline > 0) {
                    throw new Refused(new Outcome.BodyTimeout(total));
                }
                if (file == null && memory.size() + n <= memoryLimit) {
                    memory.write(piece, 0, n);
                    continue;
                }
                if (file == null) {
                    file = SpillFile.create(dir, "request-");
                }
                ByteBuffer data = ByteBuffer.wrap(piece, 0, n);
                while (data.hasRemaining()) {
                    file.write(data);
                }
            }
            return new RequestBody(memory.toByteArray(), file, total);
        } catch (Refused | IOException | RuntimeException e) {
            if (file != null) {
                file.close();
            }
            throw e;
        }
    }

    /** The body's length in bytes. */
    long length() {
        return length;
    }

    /** A fresh stream over the whole body. */
    InputStream open() {
        InputStream memory = new java.io.ByteArrayInputStream(head);
        if (file == null) {
            return memory;
        }
        FileChannel channel = file;
        InputStream rest = new InputStream() {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                if (n > 0) {
                    position += n;
                }
                return n;
            }
        };
        return new java.io.SequenceInputStream(memory, rest);
    }

    /** Frees the file (its space). */
    void release() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // unlinked already: nothing is left to clean up
            }
        }
    }
}
