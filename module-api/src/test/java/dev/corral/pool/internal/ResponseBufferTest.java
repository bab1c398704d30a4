package dev.corral.pool.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResponseBuffer} between a writer (the app's side) and a client whose writes block until
 * the test lets them through: the writer never waits for the client within the limits, memory
 * stays within {@code responseBufferSize}, the rest goes to an unlinked file, bytes arrive in
 * order, and failures reach the side that must report them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseBufferTest {
    private static final int KB = 1024;
    @TempDir
    Path tmp;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A client that takes nothing until opened, then everything. */
    static final class GatedClient extends OutputStream {
        final CountDownLatch open = new CountDownLatch(1);
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile IOException failWith;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                open.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            if (failWith != null) {
                throw failWith;
            }
            synchronized (received) {
                received.write(b, off, len);
            }
        }
    }

    private static byte[] pattern(int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 7 + i / 251);
        }
        return data;
    }

    private static void writeInPieces(OutputStream out, byte[] data, int piece) throws IOException {
        for (int at = 0; at < data.length; at += piece) {
            out.write(data, at, Math.min(piece, data.length - at));
        }
    }

    @Test
    void theWriterNeverWaitsForAStalledClientAndTheHeapHoldsOnlyTheMemoryLimit() throws Exception {
        GatedClient client = new GatedClient();
        ResponseBuffer buffer = new ResponseBuffer(client, 128 * KB, 64L << 20, tmp.resolve("buffers"), "GET /big");
        buffer.start(threads);
        byte[] data = pattern(5 << 20);
        writeInPieces(buffer, data, 8 * KB);   // returns although the client took nothing
        assertTrue(buffer.inMemory() <= 128 * KB, "in memory: " + buffer.inMemory());
        assertTrue(buffer.inFile() >= (5 << 20) - 192 * KB, "in the file: " + buffer.inFile());
        try (var files = Files.list(tmp.resolve("buffers"))) {
            assertEquals(0, files.count(), "the file is unlinked at once");
        }
        CompletableFuture<IOException> delivered = new CompletableFuture<>();
        buffer.finish(failure -> delivered.complete(failure));
        client.open.countDown();
        assertNull(delivered.get(10, TimeUnit.SECONDS));
        assertArrayEquals(data, client.received.toByteArray());
        assertTrue(buffer.delivered());
    }

    @Test
    void theWriterWaitsOnceResponseBufferMaxIsReached() throws Exception {
        GatedClient client = new GatedClient();
        ResponseBuffer buffer = new ResponseBuffer(client, 64 * KB, 1 << 20, tmp.resolve("buffers"), "GET /big");
        buffer.start(threads);
        byte[] data = pattern(3 << 20);
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int at = 0; at < data.length; at += 16 * KB) {
                    buffer.write(data, at, 16 * KB);
                    written.addAndGet(16 * KB);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, threads);
        // the writer stops at the bound, give or take the piece the drain task has taken
        await().atMost(Duration.ofSeconds(10)).until(() -> written.get() >= (1 << 20) - 16 * KB);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !writer.isDone());
        assertTrue(written.get() <= (1 << 20) + 64 * KB + 16 * KB, "written: " + written.get());
        client.open.countDown();
        writer.get(10, TimeUnit.SECONDS);
        CompletableFuture<IOException> delivered = new CompletableFuture<>();
        buffer.finish(delivered::complete);
        assertNull(delivered.get(10, TimeUnit.SECONDS));
        assertArrayEquals(data, client.received.toByteArray());
    }

    @Test
    void aFileThatCannotBeWrittenDegradesToWaitingForTheClient() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("a-file"), "x");
        GatedClient client = new GatedClient();
        ResponseBuffer buffer = new ResponseBuffer(client, 64 * KB, 64L << 20, notADirectory.resolve("buffers"), "GET /big");
        buffer.start(threads);
        byte[] data = pattern(1 << 20);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                writeInPieces(buffer, data, 8 * KB);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, threads);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !writer.isDone());
        assertTrue(buffer.inMemory() <= 64 * KB + 8 * KB, "in memory: " + buffer.inMemory());
        client.open.countDown();
        writer.get(10, TimeUnit.SECONDS);
        CompletableFuture<IOException> delivered = new CompletableFuture<>();
        buffer.finish(delivered::complete);
        assertNull(delivered.get(10, TimeUnit.SECONDS));
        assertArrayEquals(data, client.received.toByteArray(), "no byte lost or reordered");
    }

    @Test
    void aClientThatFailsFailsTheWriterAndTheDeliveryAndFreesTheFile() throws Exception {
        GatedClient client = new GatedClient();
        client.failWith = new IOException("Broken pipe");
        ResponseBuffer buffer = new ResponseBuffer(client, 64 * KB, 64L << 20, tmp.resolve("buffers"), "GET /big");
        buffer.start(threads);
        writeInPieces(buffer, pattern(1 << 20), 8 * KB);
        client.open.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> buffer.inFile() == 0 && buffer.inMemory() == 0);
        IOException failed = assertThrows(IOException.class, () -> buffer.write(new byte[10], 0, 10));
        assertEquals("Broken pipe", failed.getMessage());
        CompletableFuture<IOException> delivered = new CompletableFuture<>();
        buffer.finish(delivered::complete);
        assertEquals("Broken pipe", delivered.get(10, TimeUnit.SECONDS).getMessage());
        assertFalse(buffer.delivered());
    }

    @Test
    void anAbortStopsTheDeliveryAndDropsWhatWasBuffered() throws Exception {
        GatedClient client = new GatedClient();
        ResponseBuffer buffer = new ResponseBuffer(client, 64 * KB, 64L << 20, tmp.resolve("buffers"), "GET /big");
        buffer.start(threads);
        writeInPieces(buffer, pattern(2 << 20), 8 * KB);
        // the drain task is stuck in its first write to the client; the abort waits for that write
        CompletableFuture<Void> aborting = CompletableFuture.runAsync(buffer::abort, threads);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !aborting.isDone());
        client.open.countDown();
        aborting.get(10, TimeUnit.SECONDS);
        long received = client.received.size();
        assertTrue(received <= 64 * KB, "only the write under way got through: " + received);
        assertThrows(IOException.class, () -> buffer.write(new byte[10], 0, 10));
        assertEquals(0, buffer.inFile());
        assertFalse(buffer.delivered());
    }
}
