package dev.corral.pool.internal;

/**
 * A FIFO of waiting requests, oldest first by arrival: an intrusive doubly-linked list, so that
 * taking the oldest, appending a new request, putting a retried request back at the front and
 * removing a request whose client went away are all O(1). Being in arrival order, it is also in
 * order of the requests' queue deadlines. Guarded by the group lock, like the {@link Waiter}s in it.
 */
final class WaitQueue {
    private Node head;
    private Node tail;
    private int size;

    static final class Node {
        final Waiter waiter;
        Node prev;
        Node next;
        boolean linked;

        Node(Waiter waiter) {
            this.waiter = waiter;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Moves every waiter of {@code other} into this queue, keeping the whole oldest first (both
     * are in arrival order already, so this is a merge).
     */
    void mergeFrom(WaitQueue other) {
        Node at = head;
        Waiter moving;
        while ((moving = other.pollFirst()) != null) {
            while (at != null && at.waiter.arrivedNanos() - moving.arrivedNanos() <= 0) {
                at = at.next;
            }
            link(moving, insertBefore(at, moving));
        }
    }

    /**
     * Queues a waiter in its arrival order: at the end for a new request (O(1)), at the front
     * for a retried one that is older than every other (O(1)), else where it belongs.
     */
    void add(Waiter waiter) {
        long arrived = waiter.arrivedNanos();
        Node at;
        if (tail == null || tail.waiter.arrivedNanos() - arrived <= 0) {
            at = null;
        } else if (arrived - head.waiter.arrivedNanos() < 0) {
            at = head;
        } else {
            at = tail;
            while (at.prev != null && at.prev.waiter.arrivedNanos() - arrived > 0) {
                at = at.prev;
            }
        }
        link(waiter, insertBefore(at, waiter));
    }

    private void link(Waiter waiter, Node node) {
        waiter.node = node;
        waiter.queue = this;
    }

    /** Links a new node for {@code waiter} before {@code at}, or at the end when {@code at} is null. */
    private Node insertBefore(Node at, Waiter waiter) {
        Node node = new Node(waiter);
        node.next = at;
        node.prev = at == null ? tail : at.prev;
        if (node.prev == null) {
            head = node;
        } else {
            node.prev.next = node;
        }
        if (at == null) {
            tail = node;
        } else {
            at.prev = node;
        }
        node.linked = true;
        size++;
        return node;
    }

    /** Visits every waiter, oldest first; the action must not change the queue. */
    void forEach(java.util.function.Consumer<Waiter> action) {
        for (Node node = head; node != null; node = node.next) {
            action.accept(node.waiter);
        }
    }

    /** The oldest waiter, left in place, or null when empty. */
    Waiter peekFirst() {
        return head == null ? null : head.waiter;
    }

    /** The oldest waiter, removed, or null when empty. */
    Waiter pollFirst() {
        Node node = head;
        if (node == null) {
            return null;
        }
        remove(node);
        return node.waiter;
    }

    /** Takes a waiter out of this queue; false if it had already left it. */
    boolean remove(Waiter waiter) {
        return waiter.queue == this && remove(waiter.node);
    }

    /** Unlinks a node; false if it had already left the queue. */
    private boolean remove(Node node) {
        if (!node.linked) {
            return false;
        }
        if (node.prev == null) {
            head = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            tail = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        node.linked = false;
        size--;
        return true;
    }
}
