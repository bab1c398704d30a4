package dev.corral.pool;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The client's end of a connection that switched protocols, as the adapter offers it to the
 * engine's {@link Tunnel}: raw bytes to the client, and closing the connection.
 *
 * <p>Thread-safety: {@link #write} is called by one thread at a time (the engine's relay from
 * the app); {@link #close} may come from any thread, also while a write blocks.
 */
public interface TunnelClient {

    /**
     * Writes all of {@code bytes} to the client and flushes, blocking until the container has
     * taken them (back-pressure).
     *
     * @throws IOException if the client connection failed or was closed
     */
    void write(ByteBuffer bytes) throws IOException;

    /**
     * Closes the client connection. A {@link #write} blocked on another thread ends with an
     * {@code IOException} soon after. Idempotent.
     */
    void close();
}
