package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitQueueTest {
    private static Waiter waiter(String id) {
        return waiter(id, 0);
    }

    private static Waiter waiter(String id, long enqueuedNanos) {
        return new Waiter(new RequestInfo(null, id, 0), enqueuedNanos);
    }

    private static List<String> drain(WaitQueue queue) {
        List<String> ids = new ArrayList<>();
        Waiter w;
        while ((w = queue.pollFirst()) != null) {
            ids.add(w.request.id);
        }
        return ids;
    }

    @Test
    void servesOldestFirst() {
        WaitQueue queue = new WaitQueue();
        queue.addLast(waiter("a"));
        queue.addLast(waiter("b"));
        queue.addLast(waiter("c"));
        assertEquals(3, queue.size());
        assertEquals(List.of("a", "b", "c"), drain(queue));
        assertTrue(queue.isEmpty());
        assertNull(queue.pollFirst());
    }

    @Test
    void retriedRequestGoesBackToTheFront() {
        WaitQueue queue = new WaitQueue();
        queue.addLast(waiter("b"));
        queue.addFirst(waiter("a"));
        queue.addLast(waiter("c"));
        assertEquals(List.of("a", "b", "c"), drain(queue));
    }

    @Test
    void removesFromAnyPositionOnceOnly() {
        WaitQueue queue = new WaitQueue();
        WaitQueue.Node a = queue.addLast(waiter("a"));
        WaitQueue.Node b = queue.addLast(waiter("b"));
        WaitQueue.Node c = queue.addLast(waiter("c"));
        assertTrue(queue.remove(b));
        assertFalse(queue.remove(b), "a second removal is a no-op");
        assertEquals(2, queue.size());
        assertTrue(queue.remove(c));
        assertTrue(queue.remove(a));
        assertTrue(queue.isEmpty());
        queue.addLast(waiter("d"));
        assertEquals(List.of("d"), drain(queue));
    }

    @Test
    void mergingKeepsTheWholeQueueOldestFirst() {
        WaitQueue app = new WaitQueue();
        app.addLast(waiter("a2", 2));
        app.addLast(waiter("a5", 5));
        WaitQueue own = new WaitQueue();
        own.addLast(waiter("o1", 1));
        own.addLast(waiter("o3", 3));
        own.addLast(waiter("o9", 9));
        app.mergeFrom(own);
        assertTrue(own.isEmpty());
        assertEquals(5, app.size());
        assertEquals(List.of("o1", "a2", "o3", "a5", "o9"), drain(app));
    }
}
