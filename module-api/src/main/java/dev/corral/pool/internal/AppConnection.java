package dev.corral.pool.internal;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/**
 * One keep-alive connection from Corral to one app process. Used by one request at a time:
 * taken from the process's idle set, used with blocking I/O, then returned or closed.
 */
final class AppConnection implements Closeable {
    static final int BUFFER_SIZE = 64 * 1024;

    final SocketChannel channel;
    final OutputStream out;
    /** Bytes read from the app and not parsed yet; kept in read mode between calls. */
    final ByteBuffer in = ByteBuffer.allocate(BUFFER_SIZE).flip();
    /** The next request's head, built here: the buffer is kept from one request to the next. */
    final RequestHead head = new RequestHead();
    /** Requests this connection has carried. */
    int uses;
    /** {@link System#nanoTime()} when the connection last went back to its process's idle set. */
    long idleSinceNanos;

    AppConnection(SocketChannel channel) {
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
    }

    /** Reads more bytes from the app into {@link #in}; -1 at end of stream. */
    int fill() throws IOException {
        in.compact();
        try {
            return channel.read(in);
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket we are done with: nothing useful to do about a failure
        }
    }
}
