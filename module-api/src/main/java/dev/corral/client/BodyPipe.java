package dev.corral.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The response body of one call, from the engine thread that relays it ({@link #sink()}) to the
 * caller that reads it ({@link #source()}): a bounded buffer of {@link #CAPACITY} bytes, so that
 * the engine waits for a slow reader as it would for a slow network client (back-pressure), and
 * both sides give up at the call's deadline.
 *
 * <p>Lifetime: one call. Thread-safe: one writer thread and one reader thread.
 */
final class BodyPipe {
    /** Bytes the writer may be ahead of the reader. */
    static final int CAPACITY = 256 * 1024;
    /**
     * How long the writer waits for a reader that takes nothing, when the call has no deadline
     * (a container's idle timeout plays this part for a network client).
     */
    static final long READER_STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Nanos (System.nanoTime) by which the call must be over, or 0 for none. */
    private final long deadline;
    /** Makes the exception for a reader that waited past the deadline. */
    private final Supplier<AppCallException> timedOut;

    // Guarded by lock.
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int buffered;
    private byte[] current;
    private int position;
    private boolean ended;
    private IOException failure;
    private boolean readerClosed;

    BodyPipe(long deadline, Supplier<AppCallException> timedOut) {
        this.deadline = deadline;
        this.timedOut = timedOut;
    }

    OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                put(b, off, len);
            }

            @Override
            public void close() {
                end();
            }
        };
    }

    InputStream source() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return take(b, off, len);
            }

            @Override
            public int available() {
                lock.lock();
                try {
                    return buffered;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void close() {
                closeReader();
            }
        };
    }

    private void put(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
        lock.lock();
        try {
            long stallLimit = System.nanoTime() + READER_STALL_NANOS;
            while (!readerClosed && buffered > 0 && buffered + len > CAPACITY) {
                long until = deadline != 0 ? deadline : stallLimit;
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new IOException(deadline != 0 ? "the caller did not read the response before the call's timeout"
                            : "the caller read nothing of the response for " + TimeUnit.NANOSECONDS.toSeconds(READER_STALL_NANOS) + " s");
                }
                changed.awaitNanos(left);
            }
            if (readerClosed) {
                throw new IOException("the caller closed the response body");
            }
            chunks.add(copy);
            buffered += len;
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the caller's buffer was full");
        } finally {
            lock.unlock();
        }
    }

    /** The body is complete. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The body cannot be completed: the reader gets {@code cause} after what was buffered. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int take(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (current == null || position == current.length) {
                current = chunks.poll();
                position = 0;
                if (current != null) {
                    break;
                }
                if (readerClosed) {
                    throw new IOException("the response body was closed");
                }
                if (failure != null) {
                    throw failure;
                }
                if (ended) {
                    return -1;
                }
                if (deadline == 0) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        readerClosed = true;   // the writer stops at once
                        changed.signalAll();
                        throw timedOut.get();
                    }
                    changed.awaitNanos(left);
                }
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            buffered -= n;
            changed.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the response body");
        } finally {
            lock.unlock();
        }
    }

    private void closeReader() {
        lock.lock();
        try {
            readerClosed = true;
            chunks.clear();
            current = null;
            buffered = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
