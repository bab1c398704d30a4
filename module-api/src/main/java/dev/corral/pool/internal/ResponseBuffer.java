package dev.corral.pool.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One response body on its way from an app process to a client that may read slower than the
 * app writes (Passenger's and nginx's response buffering): the forwarding thread writes what the
 * app sends into this stream and does not wait for a slow client (see below for a busy one),
 * while a drain task on an engine thread writes it on to the client as fast as the client takes it. What the client has not
 * taken yet is kept in memory up to {@code memoryLimit} ({@code responseBufferSize}), then in a
 * temporary file, up to {@code max} ({@code responseBufferMax}) in all; past that, the app waits
 * (back-pressure). So a process is free as soon as the app has sent its answer, however slow its
 * client.
 *
 * <p>A client that keeps up sees no difference: the drain task writes each piece as soon as it
 * is there (a server-sent event stream passes through as it comes), and flushes whenever it has
 * caught up with the app.
 *
 * <p>A client that is merely busy (it reads as fast as it can, only a little behind an app that
 * answers from memory) does not send the body through the file: when the memory is full and no
 * byte is in the file yet, the writer waits for the drain task to take the next piece, up to
 * {@link #CATCH_UP_NANOS} in all for the response; once that is used up, what does not fit in
 * memory goes to the file without waiting. So the app waits at most that long for any client. (Measured, bench/run's big256 on Tomcat: every 256 KiB response went through a file
 * made for it, ~10 system calls, an ext4 inode and two more copies of half the body each.)
 *
 * <p>The temporary file is created private (0600) in the run directory's {@code buffers/} and
 * unlinked at once, so nothing is left on disk however the exchange ends (its client leaves, the
 * JVM stops or crashes); its space is freed when the buffer is released. If the file cannot be
 * written (a full disk), the buffer logs it once and goes on in memory alone: the app then waits
 * for the client as it would without buffering, and no request fails for it ({@link BufferFile}).
 *
 * <p>Lifetime: one response. The forwarding thread writes, then {@link #finish finishes} (the
 * app's answer is complete) or {@link #abort aborts} it; the drain task owns the client's stream
 * until it has delivered everything and ended the exchange, or failed. Thread-safe for one
 * writer and the drain task.
 */
final class ResponseBuffer extends OutputStream {
    /** The most the drain task writes to the client at once. */
    private static final int DRAIN_PIECE = 64 * 1024;
    /**
     * How long the writer waits in all, per response, for a drain task that is writing to its
     * client, before what does not fit in memory goes to the file (see the class comment).
     */
    static final long CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How long an abort waits for a drain task that is in the middle of a write to the client. */
    private static final long ABORT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final OutputStream toClient;
    private final long memoryLimit;
    private final long max;
    private final BufferFile file;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<byte[]> memory = new ArrayDeque<>();
    private long memoryBytes;
    /** File bytes [fileRead, fileWritten) wait for the client; the writer reserves [fileWritten, +len) alone. */
    private long fileRead;
    private long fileWritten;
    private boolean inputDone;
    private boolean aborted;
    private IOException clientFailure;
    private boolean draining;
    private boolean delivered;
    /** What is left of {@link #CATCH_UP_NANOS} for this response; at 0 the file is used without waiting. */
    private long catchUpLeft = CATCH_UP_NANOS;
    /** Runs once, on the drain task, when the body is delivered (null) or the client failed (its failure). */
    private Consumer<IOException> whenDelivered;

    /**
     * @param toClient    the client's stream (from {@code Exchange.commit})
     * @param memoryLimit bytes kept in memory before the file is used
     * @param max         bytes kept in all before the app waits
     * @param dir         where the temporary file goes
     * @param describe    the request, for log lines
     */
    ResponseBuffer(OutputStream toClient, long memoryLimit, long max, Path dir, String describe) {
        this.toClient = toClient;
        this.memoryLimit = memoryLimit;
        this.max = Math.max(max, memoryLimit);
        this.file = new BufferFile(dir, describe);
    }

    /** Starts the drain task on {@code executor}. */
    void start(Executor executor) {
        lock.lock();
        try {
            draining = true;
        } finally {
            lock.unlock();
        }
        executor.execute(this::drain);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Takes bytes from the app: at once unless the buffer is full; fails once the client has failed. */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        long position;
        lock.lock();
        try {
            while (true) {
                if (clientFailure != null) {
                    throw clientFailure;
                }
                if (aborted) {
                    throw new IOException("the response was aborted");
                }
                long inFile = fileWritten - fileRead;
                long pending = memoryBytes + inFile;
                boolean fileBroken = file.broken();
                long limit = fileBroken ? memoryLimit : max;
                // with the file broken, new bytes go to memory, which is drained first: the file's
                // older bytes must be out before
                if (pending == 0 || (pending + len <= limit && !(fileBroken && inFile > 0))) {
                    if (catchUpLeft > 0 && inFile == 0 && !fileBroken && memoryBytes > 0
                            && memoryBytes + len > memoryLimit && len <= memoryLimit) {
                        // memory is full: give a busy client's drain a moment before the file
                        catchUpLeft = Math.max(0, changed.awaitNanos(catchUpLeft));
                        continue;
                    }
                    break;
                }
                changed.await();
            }
            if (fileWritten == fileRead && memoryBytes + len <= memoryLimit || file.broken()) {
                memory.add(java.util.Arrays.copyOfRange(b, off, off + len));
                memoryBytes += len;
                changed.signalAll();
                return;
            }
            if (fileWritten == fileRead) {
                fileWritten = 0;   // the file is drained: its space is used again
                fileRead = 0;
            }
            position = fileWritten;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the response buffer was full");
        } finally {
            lock.unlock();
        }
        // the writer alone writes past fileWritten: the file I/O needs no lock
        if (!file.write(b, off, len, position)) {
            lock.lock();
            try {
                memory.add(java.util.Arrays.copyOfRange(b, off, off + len));   // the order holds: the file is drained first
                memoryBytes += len;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            fileWritten = position + len;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The app's answer is complete: the drain task delivers the rest, then runs
     * {@code whenDelivered} with null, or with the client's failure if the client failed (also if
     * it had failed already).
     */
    void finish(Consumer<IOException> whenDelivered) {
        IOException failedBefore;
        lock.lock();
        try {
            inputDone = true;
            failedBefore = draining ? null : clientFailure;
            if (draining) {
                this.whenDelivered = whenDelivered;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (failedBefore != null) {
            whenDelivered.accept(failedBefore);   // the drain task failed and ended before the answer was complete
        }
    }

    /**
     * The answer will not be complete (the app failed, or the client did): the drain task stops
     * after its current write, what was buffered is dropped, and the file is released. Returns
     * once the drain task no longer writes to the client (or after a few seconds of a client
     * write that does not return), so that the caller may end the exchange.
     */
    void abort() {
        lock.lock();
        try {
            aborted = true;
            changed.signalAll();
            awaitDrainEndLocked(ABORT_WAIT_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The app cut its answer short: the client gets what the app did send (as it would without
     * the buffer), then the caller ends the exchange as failed. Waits for the drain task for at
     * most {@code waitNanos}, then {@link #abort aborts} what is left: a failure path may keep
     * its slot that long, no longer.
     */
    void deliverThenStop(long waitNanos) {
        lock.lock();
        try {
            inputDone = true;
            whenDelivered = null;   // the caller reports the failure
            changed.signalAll();
            awaitDrainEndLocked(waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        abort();   // at once if the drain task ended
    }

    private void awaitDrainEndLocked(long nanos) throws InterruptedException {
        long left = nanos;
        while (draining && left > 0) {
            left = changed.awaitNanos(left);
        }
    }

    /** The drain task: writes to the client what the app sent, in order, until all is delivered or it fails. */
    private void drain() {
        IOException failure = null;
        boolean finished = false;
        boolean unflushed = false;
        byte[] piece = new byte[DRAIN_PIECE];
        try {
            while (!finished) {
                int n = 0;
                long filePosition = -1;
                boolean idle;
                lock.lock();
                try {
                    idle = !aborted && memory.isEmpty() && fileWritten == fileRead && !inputDone;
                    if (idle && !unflushed) {
                        changed.await();
                        continue;
                    }
                    if (aborted) {
                        return;
                    }
                    if (!idle) {
                        if (!memory.isEmpty()) {
                            if (memory.peek().length >= DRAIN_PIECE) {
                                piece = memory.poll();   // a large chunk goes as it is
                                n = piece.length;
                            } else {
                                if (piece.length != DRAIN_PIECE) {
                                    piece = new byte[DRAIN_PIECE];
                                }
                                while (!memory.isEmpty() && n + memory.peek().length <= DRAIN_PIECE) {
                                    byte[] chunk = memory.poll();
                                    System.arraycopy(chunk, 0, piece, n, chunk.length);
                                    n += chunk.length;
                                }
                            }
                            memoryBytes -= n;
                            changed.signalAll();   // memory freed: the writer may go on
                        } else if (fileWritten > fileRead) {
                            filePosition = fileRead;
                            n = (int) Math.min(DRAIN_PIECE, fileWritten - fileRead);
                            if (piece.length != DRAIN_PIECE) {
                                piece = new byte[DRAIN_PIECE];
                            }
                        } else {
                            finished = true;   // the input is done and all of it was written
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (idle || finished) {
                    // caught up with the app (or done): what was written goes out now
                    if (unflushed) {
                        toClient.flush();
                        unflushed = false;
                    }
                    continue;
                }
                if (filePosition >= 0) {
                    file.read(piece, n, filePosition);
                }
                toClient.write(piece, 0, n);
                unflushed = true;
                if (filePosition >= 0) {
                    lock.lock();
                    try {
                        fileRead = filePosition + n;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new java.io.InterruptedIOException("interrupted while delivering the response");
        } finally {
            release(failure);
        }
    }

    /**
     * The drain task ends: memory and file are given back, an abort waiting for it goes on, and
     * if the app's answer is complete its callback runs with the outcome (else a failure is
     * reported to the writer's next write, or to {@link #finish}).
     */
    private void release(IOException failure) {
        Consumer<IOException> done = null;
        lock.lock();
        try {
            draining = false;
            if (failure != null) {
                clientFailure = failure;
            } else if (!aborted) {
                delivered = true;
            }
            if (inputDone && !aborted) {
                done = whenDelivered;
                whenDelivered = null;
            }
            memory.clear();
            memoryBytes = 0;
            fileRead = fileWritten;   // dropped with the file
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        file.close();   // and no new file once released
        if (done != null) {
            done.accept(failure);
        }
    }

    /** Bytes waiting in memory now (at most responseBufferSize, or one write past it when the file is unusable). */
    long inMemory() {
        lock.lock();
        try {
            return memoryBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes waiting in the temporary file now. */
    long inFile() {
        lock.lock();
        try {
            return fileWritten - fileRead;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the drain task delivered the whole body. */
    boolean delivered() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }
}
