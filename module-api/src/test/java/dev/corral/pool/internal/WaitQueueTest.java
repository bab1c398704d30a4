package dev.corral.pool.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitQueueTest {
    private static Waiter waiter(String id, long arrivedNanos) {
        return new Waiter(new RequestInfo(null, id, arrivedNanos), arrivedNanos);
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
        queue.add(waiter("a", 1));
        queue.add(waiter("b", 2));
        queue.add(waiter("c", 3));
        assertEquals(3, queue.size());
        assertEquals(List.of("a", "b", "c"), drain(queue));
        assertTrue(queue.isEmpty());
        assertNull(queue.pollFirst());
    }

    @Test
    void requestsThatArriveAtOnceKeepTheOrderTheyWereQueuedIn() {
        WaitQueue queue = new WaitQueue();
        queue.add(waiter("a", 5));
        queue.add(waiter("b", 5));
        queue.add(waiter("c", 5));
        assertEquals(List.of("a", "b", "c"), drain(queue));
    }

    @Test
    void retriedRequestGoesBackToItsPlaceByArrival() {
        WaitQueue queue = new WaitQueue();
        queue.add(waiter("b", 2));
        queue.add(waiter("d", 4));
        queue.add(waiter("a", 1));   // older than every other: the front
        queue.add(waiter("c", 3));   // between two others
        queue.add(waiter("e", 5));
        assertEquals(List.of("a", "b", "c", "d", "e"), drain(queue));
    }

    @Test
    void removesFromAnyPositionOnceOnly() {
        WaitQueue queue = new WaitQueue();
        Waiter a = waiter("a", 1);
        Waiter b = waiter("b", 2);
        Waiter c = waiter("c", 3);
        queue.add(a);
        queue.add(b);
        queue.add(c);
        assertTrue(queue.remove(b));
        assertFalse(queue.remove(b), "a second removal is a no-op");
        assertEquals(2, queue.size());
        assertTrue(queue.remove(c));
        assertTrue(queue.remove(a));
        assertTrue(queue.isEmpty());
        queue.add(waiter("d", 4));
        assertEquals(List.of("d"), drain(queue));
        assertFalse(new WaitQueue().remove(a), "a waiter of another queue is not removed");
    }

    @Test
    void mergingKeepsTheWholeQueueOldestFirst() {
        WaitQueue app = new WaitQueue();
        app.add(waiter("a2", 2));
        app.add(waiter("a5", 5));
        WaitQueue own = new WaitQueue();
        own.add(waiter("o1", 1));
        own.add(waiter("o3", 3));
        own.add(waiter("o9", 9));
        app.mergeFrom(own);
        assertTrue(own.isEmpty());
        assertEquals(5, app.size());
        assertEquals(List.of("o1", "a2", "o3", "a5", "o9"), drain(app));
    }
}
