package dev.corral.client;

import dev.corral.pool.App;
import dev.corral.pool.Corral;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Calls a Corral app from Java code in the same JVM: the request takes the same path as one from
 * the network (the app's queue, routing, health checks, retries, limits, faults and failure
 * reasons, and its log line) without a round trip through the container's connector.
 *
 * <pre>{@code
 * AppClient renderer = AppClient.named("renderer");
 * try (AppResponse page = renderer.send(AppRequest.get("/render?id=42"))) {
 *     return page.bodyAsString();
 * } catch (QueueFullException busy) {
 *     ...   // busy.reason() is "queue_full", as X-Corral-Reason would say
 * }
 * }</pre>
 *
 * <p>Threads: a call runs on a thread of Corral's client pool (daemon threads named
 * {@code corral-client-N}, idle ones end after a minute), which forwards the request when a
 * process is free; a queued call holds no thread. The caller's thread only waits for the head
 * ({@link #send}) or not at all ({@link #sendAsync}), then reads the body. Thread-safe; cheap to
 * keep (a {@link #named} client looks its app up at every call, so it follows an app that is
 * removed and added again).
 */
public final class AppClient {
    private static final Executor CALLS = callThreads();
    /** The calls' timeouts: one daemon thread, and a cancelled timeout leaves its queue at once. */
    private static final ScheduledThreadPoolExecutor TIMEOUTS = timeoutThread();
    private final String name;
    private final Supplier<App> app;

    private AppClient(String name, Supplier<App> app) {
        this.name = name;
        this.app = app;
    }

    /** A client of the app named {@code name} among the engines that run in this JVM ({@link Corral#running()}). */
    public static AppClient named(String name) {
        Objects.requireNonNull(name, "name");
        return new AppClient(name, () -> Corral.runningApp(name).orElse(null));
    }

    /** A client of one app of an engine the caller holds. */
    public static AppClient of(App app) {
        return new AppClient(app.name(), () -> app);
    }

    /** The app's name. */
    public String app() {
        return name;
    }

    /**
     * Sends a request and waits for the response's status and headers; the body streams in
     * behind them.
     *
     * @throws AppCallException     the app gave no answer: the subclass and {@link AppCallException#reason()}
     *                              say why ({@link QueueFullException}: {@code queue_full}, ...)
     * @throws InterruptedException the caller's thread was interrupted; the call is abandoned
     */
    public AppResponse send(AppRequest request) throws AppCallException, InterruptedException {
        CallExchange call = start(request);
        try {
            return call.head().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AppCallException failure) {
                failure.fillInStackTrace();   // the caller's stack, not the engine thread's
                throw failure;
            }
            throw new IllegalStateException("call to app [" + name + "] failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            call.abandon(AppCallException.of(name, "client_gone", 0, "the caller was interrupted (" + request + ")",
                    -1, null, 0));
            throw e;
        }
    }

    /**
     * Sends a request; the stage completes with the response once its status and headers came,
     * or exceptionally with an {@link AppCallException}. Cancelling the returned future abandons
     * the call: a queued request leaves the queue, and a response still to come is dropped.
     *
     * <p>The stage completes on a thread of the client pool, never on the engine thread that
     * relays the response: a dependent stage may read the body at once.
     */
    public CompletableFuture<AppResponse> sendAsync(AppRequest request) {
        CallExchange exchange = start(request);
        CompletableFuture<AppResponse> head = exchange.head();
        CompletableFuture<AppResponse> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                exchange.abandon(AppCallException.of(name, "client_gone", 0, "the caller cancelled the call ("
                        + request + ")", -1, null, 0));
                return cancelled;
            }
        };
        head.whenCompleteAsync((response, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure instanceof CancellationException ? failure : unwrap(failure));
            } else if (!result.complete(response)) {
                closeQuietly(response);   // cancelled meanwhile: nobody will read it
            }
        }, CALLS);
        return result;
    }

    /** Starts a call: its exchange goes to the app on a thread of the client pool. */
    private CallExchange start(AppRequest request) {
        Objects.requireNonNull(request, "request");
        long deadline = request.timeout() == null ? 0 : deadlineAfter(request.timeout().toNanos());
        CallExchange exchange = new CallExchange(name, request, deadline);
        App target = app.get();
        if (target == null) {
            exchange.abandon(AppCallException.of(name, "no_such_app", 503, "no Corral app named [" + name
                    + "] runs in this JVM; apps running: " + runningApps(), -1, null, 0));
            return exchange;
        }
        CompletableFuture<AppResponse> head = exchange.head();
        if (request.timeout() != null) {
            // until the head: after it, the body's reads and writes keep to the deadline themselves
            ScheduledFuture<?> timer = TIMEOUTS.schedule(() -> CALLS.execute(() -> {
                if (!head.isDone()) {
                    exchange.abandon(exchange.timeoutException());
                }
            }), request.timeout().toNanos(), TimeUnit.NANOSECONDS);
            head.whenComplete((response, failure) -> timer.cancel(false));   // a finished call is not kept until then
        }
        try {
            CALLS.execute(() -> target.dispatch(exchange));
        } catch (RuntimeException e) {
            exchange.abandon(AppCallException.of(name, "internal_error", 500, "cannot run the call: " + e, -1, null, 0));
        }
        return exchange;
    }

    private static long deadlineAfter(long nanos) {
        long deadline = System.nanoTime() + nanos;
        return deadline == 0 ? 1 : deadline;   // 0 means none
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private static void closeQuietly(AppResponse response) {
        try {
            response.close();
        } catch (java.io.IOException ignored) {
            // the pipe's close does not fail
        }
    }

    private static List<String> runningApps() {
        List<String> names = new ArrayList<>();
        Corral.running().forEach(corral -> corral.apps().forEach(a -> names.add(a.name())));
        return names;
    }

    private static ScheduledThreadPoolExecutor timeoutThread() {
        ClassLoader engineLoader = AppClient.class.getClassLoader();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "corral-client-timeouts");
            thread.setDaemon(true);
            thread.setContextClassLoader(engineLoader);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static Executor callThreads() {
        AtomicInteger n = new AtomicInteger();
        ClassLoader engineLoader = AppClient.class.getClassLoader();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "corral-client-" + n.incrementAndGet());
            thread.setDaemon(true);
            // the engine's loader, not the calling webapp's: a pooled thread must not pin a webapp
            thread.setContextClassLoader(engineLoader);
            return thread;
        });
    }

    @Override
    public String toString() {
        return "AppClient [" + name + "]";
    }
}
