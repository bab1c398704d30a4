package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corral's little WebSocket framing: its close frames, and where the frames it relays end. */
class WebSocketFramesTest {

    /** A frame as RFC 6455 5.2 lays it out, masked with {@code mask} when not null. */
    private static byte[] frame(int first, byte[] payload, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        int maskBit = mask == null ? 0 : 0x80;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(maskBit | 127);
            out.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (mask != null) {
            out.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ mask[i & 3]);
            }
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    @Test
    void aServersCloseFrameIsUnmaskedWithCodeAndReason() {
        ByteBuffer frame = WebSocketFrames.close(1001, "going away", false, 0);
        byte[] expected = frame(0x88, ByteBuffer.allocate(12).putShort((short) 1001)
                .put("going away".getBytes(StandardCharsets.UTF_8)).array(), null);
        assertArrayEquals(expected, toArray(frame));
    }

    @Test
    void aClientsCloseFrameIsMasked() {
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        ByteBuffer frame = WebSocketFrames.close(1001, "going away", true, 0x12345678);
        byte[] expected = frame(0x88, ByteBuffer.allocate(12).putShort((short) 1001)
                .put("going away".getBytes(StandardCharsets.UTF_8)).array(), mask);
        assertArrayEquals(expected, toArray(frame));
        assertThrows(IllegalArgumentException.class, () -> WebSocketFrames.close(1000, "x".repeat(124), false, 0));
    }

    @Test
    void theTrackerFindsFrameEndsWhateverTheChunks() {
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(frame(0x81, "hi".getBytes(StandardCharsets.UTF_8), null));
        stream.writeBytes(frame(0x82, new byte[300], mask));          // 16-bit length, masked
        stream.writeBytes(frame(0x02, new byte[70_000], null));       // 64-bit length, not final
        stream.writeBytes(frame(0x80, new byte[0], null));            // empty continuation
        stream.writeBytes(frame(0x89, new byte[5], mask));            // ping
        byte[] all = stream.toByteArray();
        int[] ends = {4, 4 + 308, 4 + 308 + 70_010, 4 + 308 + 70_010 + 2, all.length};
        for (int chunk : new int[] {1, 3, 7, 1000, all.length}) {
            WebSocketFrames.Tracker tracker = new WebSocketFrames.Tracker();
            int end = 0;
            for (int at = 0; at < all.length; at += chunk) {
                ByteBuffer piece = ByteBuffer.wrap(all, at, Math.min(chunk, all.length - at));
                int before = piece.position();
                tracker.track(piece);
                assertEquals(before, piece.position(), "the bytes are left as they were");
                end = at + piece.remaining();
                boolean frameEndsHere = false;
                for (int e : ends) {
                    frameEndsHere |= e == end;
                }
                assertEquals(frameEndsHere, tracker.atBoundary(), "chunks of " + chunk + ", after " + end + " bytes");
            }
            assertEquals(all.length, end);
            assertFalse(tracker.closeSeen());
        }
    }

    @Test
    void theTrackerSeesAWholeCloseFrame() {
        byte[] close = frame(0x88, new byte[] {0x03, (byte) 0xe9}, new byte[] {9, 9, 9, 9});
        WebSocketFrames.Tracker tracker = new WebSocketFrames.Tracker();
        tracker.track(ByteBuffer.wrap(close, 0, close.length - 1));
        assertFalse(tracker.closeSeen(), "not before its last byte");
        assertFalse(tracker.atBoundary());
        tracker.track(ByteBuffer.wrap(close, close.length - 1, 1));
        assertTrue(tracker.closeSeen());
        assertTrue(tracker.atBoundary());
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
