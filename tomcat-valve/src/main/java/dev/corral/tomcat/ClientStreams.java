package dev.corral.tomcat;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * The client's body streams as the engine sees them. Tomcat's streams throw runtime exceptions
 * once their request is recycled; here those become the IOExceptions the engine handles.
 */
final class ClientStreams {
    private ClientStreams() {
    }

    private static IOException unavailable(RuntimeException e) {
        return new IOException("the client's request is no longer available: " + e, e);
    }

    /** The request body. */
    static final class Input extends FilterInputStream {
        Input(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
        }
    }

    /**
     * The response body: each write is flushed, so the client gets what the app sent as it
     * arrives and Tomcat holds at most one buffer. Writes fail at once when {@code closed}
     * reports that Tomcat ended the exchange's async cycle.
     */
    static final class Output extends FilterOutputStream {
        private final BooleanSupplier closed;

        Output(OutputStream out, BooleanSupplier closed) {
            super(out);
            this.closed = closed;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            try {
                out.write(b, off, len);
                out.flush();
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
        }

        @Override
        public void flush() throws IOException {
            checkOpen();
            try {
                out.flush();
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
        }

        private void checkOpen() throws IOException {
            if (closed.getAsBoolean()) {
                throw new IOException("the client connection was closed");
            }
        }
    }
}
