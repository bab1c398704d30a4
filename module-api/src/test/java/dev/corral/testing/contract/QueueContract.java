package dev.corral.testing.contract;

import dev.corral.testing.RawHttp;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request queue: a full queue and an expired wait answer 503 at once, a freed slot takes the
 * oldest waiting request (across a sticky process's own queue and the app's), a client that
 * leaves stops waiting, requests queued for a process that dies are served by another, and 1000
 * requests in flight need no more than 32 container threads.
 */
public abstract class QueueContract extends ContractSupport {

    @Test
    void fullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
        startReady(1, wsgi("one").maxProcesses(1).maxQueue(2).detailedErrors(true));
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=3000");
        awaitStatus("one", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> queued1 = getAsync("/hello");
        CompletableFuture<HttpResponse<String>> queued2 = getAsync("/hello");
        awaitStatus("one", s -> s.queued() == 2);
        long before = System.nanoTime();
        HttpResponse<String> rejected = get("/hello");
        long tookMs = (System.nanoTime() - before) / 1_000_000;
        assertAll(
                () -> assertEquals(503, rejected.statusCode()),
                () -> assertTrue(rejected.headers().firstValue("Retry-After").isPresent(), "Retry-After"),
                () -> assertEquals("queue_full", rejected.headers().firstValue("X-Corral-Reason").orElse(null)),
                () -> assertTrue(rejected.body().contains("maxQueue=2"), rejected.body()),
                () -> assertTrue(tookMs < 2000, "rejected at once, not after the busy request: " + tookMs + " ms"));
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued1.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued2.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(1, app("one").status().rejected());
        assertFalse(logs.awaitMatching("reason=queue_full", "app=one", "queued=").isEmpty(), logs.lines().toString());
    }

    @Test
    void requestWaitingPastQueueTimeoutGets503() throws Exception {
        startReady(1, wsgi("one").maxProcesses(1).queueTimeout("300ms").detailedErrors(true));
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=3000");
        awaitStatus("one", s -> s.busy() == 1);
        HttpResponse<String> late = get("/hello");
        assertEquals(503, late.statusCode());
        assertEquals("queue_timeout", late.headers().firstValue("X-Corral-Reason").orElse(null));
        assertTrue(late.headers().firstValue("Retry-After").isPresent());
        assertTrue(late.body().contains("queueTimeout=300ms"), late.body());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(1, app("one").status().timedOut());
    }

    @Test
    void freedSlotTakesTheOldestWaitingRequest() throws Exception {
        startReady(1, wsgi("one").maxProcesses(1));
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=1000");
        awaitStatus("one", s -> s.busy() == 1);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(getAsync("/sleep?ms=30&tag=r" + i));
            int queued = i + 1;
            awaitStatus("one", s -> s.queued() == queued);
        }
        int first = sleepNumber(busy.get(30, TimeUnit.SECONDS));
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<Integer> served = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> response : all) {
            served.add(sleepNumber(response.get()) - first);
        }
        // the order the one process began them in, not the order their answers reached this client
        assertEquals(List.of(1, 2, 3, 4, 5, 6), served, "r0 ... r5 served oldest first");
    }

    @Test
    void clientThatDisconnectsWhileQueuedLeavesTheQueueAtOnce() throws Exception {
        startReady(1, wsgi("one").maxProcesses(1));
        CompletableFuture<HttpResponse<String>> busy = getAsync("/sleep?ms=8000");
        awaitStatus("one", s -> s.busy() == 1);
        Socket client = RawHttp.open(base, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        awaitStatus("one", s -> s.queued() == 1);
        client.close();
        long before = System.nanoTime();
        awaitStatus("one", s -> s.queued() == 0);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5), "left the queue before the slot freed");
        assertFalse(busy.isDone(), "the queue emptied because the client left, not because the slot freed");
        assertFalse(logs.awaitMatching("reason=client_gone", "app=one").isEmpty(), logs.lines().toString());
        assertEquals(200, busy.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void thousandConcurrentRequestsAreServedBy32ContainerThreads() throws Exception {
        startReady(4, wsgi("pool").minProcesses(4).maxProcesses(4).maxQueue(2000));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            responses.add(getAsync("/sleep?ms=2"));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            ok += response.get(120, TimeUnit.SECONDS).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(1000, ok);
        assertEquals(1000, app("pool").status().served());
    }

    @Test
    void freedSlotTakesTheOlderOfItsOwnQueueAndTheAppQueue() throws Exception {
        startReady(2, wsgi("twoqueues").minProcesses(2).maxProcesses(2).stickySessions(true));
        HttpResponse<String> home = getWithCookie("/hello", null);
        String cookie = routeCookie(home);
        CompletableFuture<HttpResponse<String>> homeBusy = getWithCookieAsync("/sleep?ms=1500", cookie);
        awaitStatus("twoqueues", s -> s.busy() == 1);
        CompletableFuture<HttpResponse<String>> otherBusy = getWithCookieAsync("/sleep?ms=4000", null);
        awaitStatus("twoqueues", s -> s.busy() == 2);
        CompletableFuture<HttpResponse<String>> plain = getWithCookieAsync("/sleep?ms=50&r=plain", null);
        awaitStatus("twoqueues", s -> s.queued() == 1);
        CompletableFuture<HttpResponse<String>> stuck1 = getWithCookieAsync("/sleep?ms=50&r=s1", cookie);
        awaitStatus("twoqueues", s -> s.queued() == 2);
        CompletableFuture<HttpResponse<String>> stuck2 = getWithCookieAsync("/sleep?ms=50&r=s2", cookie);
        awaitStatus("twoqueues", s -> s.queued() == 3);
        assertEquals(200, homeBusy.get(30, TimeUnit.SECONDS).statusCode());
        CompletableFuture.allOf(plain, stuck1, stuck2).get(30, TimeUnit.SECONDS);
        assertFalse(otherBusy.isDone(), "all three were served by the sticky process before the other one freed");
        assertEquals(pid(home), pid(plain.get()));
        assertEquals(pid(home), pid(stuck1.get()));
        assertEquals(pid(home), pid(stuck2.get()));
        // the order the process began them in (its own count), not the order their answers reached
        // this client, which a loaded machine may swap
        int homeSleeps = sleepNumber(homeBusy.get());
        assertEquals(List.of(homeSleeps + 1, homeSleeps + 2, homeSleeps + 3),
                List.of(sleepNumber(plain.get()), sleepNumber(stuck1.get()), sleepNumber(stuck2.get())),
                "oldest first across both queues: plain, sticky1, sticky2");
        assertEquals(200, otherBusy.get(30, TimeUnit.SECONDS).statusCode());
    }

    private static int sleepNumber(HttpResponse<String> response) {
        return Integer.parseInt(response.headers().firstValue("X-Sleep-Number").orElseThrow());
    }

    @Test
    void requestsWaitingForAProcessThatDiesGoBackToTheAppQueue() throws Exception {
        startReady(2, wsgi("orphans").minProcesses(2).maxProcesses(2).stickySessions(true));
        HttpResponse<String> home = getWithCookie("/hello", null);
        String cookie = routeCookie(home);
        CompletableFuture<HttpResponse<String>> dying = getWithCookieAsync("/sleepcrash?ms=1000", cookie);
        awaitStatus("orphans", s -> s.busy() == 1);
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(getWithCookieAsync("/hello", cookie));
            int queued = i + 1;
            awaitStatus("orphans", s -> s.queued() == queued);
        }
        assertEquals(502, dying.get(30, TimeUnit.SECONDS).statusCode(), "the request it was serving is lost");
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            HttpResponse<String> served = response.get(30, TimeUnit.SECONDS);
            assertEquals(200, served.statusCode(), "its queue is not: another process serves it");
            assertFalse(pid(home).equals(pid(served)));
        }
    }
}
