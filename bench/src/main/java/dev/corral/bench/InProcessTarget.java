package dev.corral.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A trivial HTTP target inside the benchmark's own JVM, standing in for the app processes, so
 * that engine benchmarks measure Corral and not Python.
 *
 * <p>How it gets behind Corral without any test hook in the engine: the app is a {@code generic}
 * app whose {@link #command()} is a shell that writes its {@code $CORRAL_SOCKET} path into this
 * target's directory and then sleeps. The target notices the file, binds that Unix socket itself
 * and answers every request on it with a fixed {@code 200} (13 bytes of body). Corral sees a process
 * that listens on its socket: it becomes READY, and requests go through the real dispatch,
 * routing, queueing, forwarding, response relay and release code. Only GET requests without a
 * body are understood.
 *
 * <p>{@link #hold()} makes it stop answering (requests wait, their sessions stay busy) until
 * {@link #releaseHeld()}.
 *
 * <p>Lifetime: {@link #start()} to {@link #close()}; close the Corral engine first (it stops
 * the sleeping shells), then the target. Thread-safe; a thread per socket and per connection.
 */
public final class InProcessTarget implements AutoCloseable {
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
            + "Hello, world!").getBytes(StandardCharsets.ISO_8859_1);

    private final Path dir;
    private final Set<Path> seen = ConcurrentHashMap.newKeySet();
    private final List<ServerSocketChannel> listeners = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final Thread watcher;
    private volatile CountDownLatch gate;
    private volatile boolean closed;

    private InProcessTarget(Path dir) {
        this.dir = dir;
        this.watcher = new Thread(this::watch, "target-watcher");
        watcher.setDaemon(true);
    }

    public static InProcessTarget start() throws IOException {
        InProcessTarget target = new InProcessTarget(Files.createTempDirectory("corral-bench-target-"));
        target.watcher.start();
        return target;
    }

    /** The {@code command} setting of the generic app whose processes this target serves. */
    public String command() {
        String d = dir.toString();
        return "sh -c 'printf \"%s\" \"$CORRAL_SOCKET\" > " + d + "/$$.tmp && mv " + d + "/$$.tmp " + d
                + "/$$.path && exec sleep 100000'";
    }

    /** An empty directory to use as the app's {@code appRoot}. */
    public Path appRoot() throws IOException {
        return Files.createDirectories(dir.resolve("app"));
    }

    /** Requests received so far (counted before they are answered or held). */
    public long received() {
        return received.get();
    }

    /** From now on requests are not answered until {@link #releaseHeld()}. */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    /** Answers every held request and stops holding. */
    public void releaseHeld() {
        CountDownLatch held = gate;
        gate = null;
        if (held != null) {
            held.countDown();
        }
    }

    private void watch() {
        while (!closed) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".path") && seen.add(p)).forEach(this::listen);
                Thread.sleep(2);
            } catch (IOException e) {
                sleepQuietly();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void listen(Path pathFile) {
        try {
            Path socket = Path.of(Files.readString(pathFile).trim());
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            listeners.add(server);
            Thread acceptor = new Thread(() -> accept(server), "target-accept-" + socket.getFileName());
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            System.err.println("in-process target: cannot listen for " + pathFile + ": " + e);
        }
    }

    private void accept(ServerSocketChannel server) {
        while (!closed) {
            try {
                SocketChannel connection = server.accept();
                connections.add(connection);
                Thread serve = new Thread(() -> serve(connection), "target-conn");
                serve.setDaemon(true);
                serve.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Answers each request head ({@code \r\n\r\n}) with the fixed response; keep-alive until EOF. */
    private void serve(SocketChannel connection) {
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        ByteBuffer out = ByteBuffer.wrap(RESPONSE);
        try (connection) {
            int scanned = 0;
            while (true) {
                int end = headEnd(in, scanned);
                if (end < 0) {
                    scanned = Math.max(0, in.position() - 3);
                    if (!in.hasRemaining() || connection.read(in) < 0) {
                        return;
                    }
                    continue;
                }
                received.incrementAndGet();
                CountDownLatch held = gate;
                if (held != null) {
                    held.await();
                }
                out.rewind();
                while (out.hasRemaining()) {
                    connection.write(out);
                }
                // drop the answered head, keep whatever follows it
                in.flip();
                in.position(end);
                in.compact();
                scanned = 0;
            }
        } catch (IOException | InterruptedException e) {
            // the engine closed the connection (or stops): nothing to do
        } finally {
            connections.remove(connection);
        }
    }

    /** The index just past the first {@code \r\n\r\n} at or after {@code from}, or -1. */
    private static int headEnd(ByteBuffer in, int from) {
        int limit = in.position();
        for (int i = from; i + 3 < limit; i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        releaseHeld();
        watcher.interrupt();
        for (ServerSocketChannel server : listeners) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (SocketChannel connection : connections) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind
        }
    }
}
