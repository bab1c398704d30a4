package dev.corral.tomcat;

import dev.corral.config.AppConfig;
import dev.corral.config.ConfigException;
import dev.corral.pool.App;
import dev.corral.pool.Corral;
import dev.corral.pool.SharedCorral;

import jakarta.servlet.ServletException;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;

import java.io.IOException;

import javax.management.ObjectName;

/**
 * Corral for Tomcat 11: a valve that serves one app (requests matching its virtual hosts and
 * path prefix) from the app's pool of processes, and passes every other request down the
 * pipeline. One {@code <Valve>} per app, usually on a {@code <Host>}:
 *
 * <pre>{@code
 * <Valve className="dev.corral.tomcat.CorralValve" name="blog" appRoot="/srv/blog" type="wsgi"
 *        pathPrefix="/blog" maxProcesses="4"/>
 * }</pre>
 *
 * <p><b>Attributes</b> (see {@link CorralValveAttributes}) are the app settings (same names,
 * defaults and checks as on Jetty) and the engine's ({@code runDir}, {@code maxPoolProcesses},
 * the status settings). The start checks them all and fails naming every bad setting and every
 * attribute the valve does not know.
 *
 * <p><b>One engine per JVM.</b> All CorralValves loaded by one class loader share one
 * {@link Corral} (see {@link SharedCorral}): the first valve to start creates it, the last to stop
 * closes it, and with it every app process. A valve stopped while others run removes its app
 * from the engine: its processes finish what they serve and stop at once, the other apps serve
 * on, and the valve's requests go on down the pipeline. A request goes to the best match among the apps of
 * the valves of the same container (longest path prefix, then virtual hosts), so the order of
 * the valves in a pipeline does not matter, and the apps of one Host do not shadow another's.
 *
 * <p><b>Threads.</b> Where Tomcat mapped the request to a Context (any webapp, even an empty
 * ROOT) and the pipeline is async-capable, the valve starts servlet async processing with no
 * timeout: a request waiting in the app's queue holds no connector thread, and the engine
 * completes it later from whichever thread frees a slot. At Host level with no Context mapped
 * Tomcat cannot go async (it needs a Context to run the async cycle), so there the connector
 * thread blocks until the response is done (watching for the client to leave), and the
 * connector's {@code maxThreads} must cover every request in flight or queued at once: at least
 * the sum over the Host's apps of {@code maxProcesses x concurrency + maxQueue} (for
 * {@code concurrency="0"} count the requests the app may serve at once), plus what the Host
 * serves otherwise. Requests beyond that wait unseen in Tomcat's executor queue and accept
 * backlog, where no {@code queueTimeout} or {@code maxQueue} applies. Deploy a ROOT webapp (an
 * empty directory {@code webapps/ROOT} is enough) to get async mode instead; the valve only
 * anchors the async cycle to that Context, whose servlets never see the app's requests.
 *
 * <p><b>Clients that leave.</b> Tomcat does not read the socket of a request that waits, so it
 * would not notice a close. Besides the kernel's TCP table, which the engine reads for every
 * container, the engine's probe asks each queued Tomcat request for a non-blocking read of its
 * socket (about every 200 ms; HTTP/1.x requests without a body), and a departed client leaves
 * the queue within about two probes. A queued request with a body, or one on HTTP/2 or AJP, is
 * not read: only an error Tomcat reports on its async cycle takes it out of the queue early;
 * otherwise it is noticed once forwarded.
 *
 * <p>Error responses (502, 503, 504) are written by the engine itself, never with
 * {@code sendError}, so Tomcat's ErrorReportValve does not rewrite them. {@code backgroundProcess}
 * does nothing: the engine has its own timer.
 *
 * <p>Thread-safety: configure before start (Tomcat does, from one thread); {@code invoke} is
 * thread-safe.
 */
public class CorralValve extends CorralValveAttributes {
    private static final System.Logger LOG = System.getLogger("dev.corral.tomcat");
    /** Marks a request this valve took, so that Tomcat's error or async dispatches pass on. */
    private static final String EXCHANGE_NOTE = "dev.corral.tomcat.exchange";

    /** The engine and this valve's app while started, else null; replaced as a whole. */
    private volatile Serving serving;

    private record Serving(SharedCorral engine, App app, TomcatStaticFiles staticFiles) {
    }

    public CorralValve() {
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    protected synchronized void startInternal() throws LifecycleException {
        Bound bound;
        try {
            bound = bind();
        } catch (ConfigException e) {
            throw new LifecycleException(this + " has an invalid configuration:\n" + e.getMessage(), e);
        }
        SharedCorral engine;
        try {
            engine = SharedCorral.acquire("CorralValve", bound.runDir(), bound.poolLimit(), bound.status());
        } catch (RuntimeException e) {
            throw new LifecycleException(this + " could not start Corral: " + e.getMessage(), e);
        }
        AppConfig config = bound.app();
        App app;
        try {
            app = engine.attach(this, getContainer(), config);
        } catch (RuntimeException e) {
            engine.release();
            throw new LifecycleException(this + " could not add its app: " + e.getMessage(), e);
        }
        TomcatStaticFiles staticFiles;
        try {
            staticFiles = TomcatStaticFiles.start(config, getContainer());
        } catch (LifecycleException | RuntimeException e) {
            engine.detach(this);
            engine.release();
            throw e instanceof LifecycleException l ? l
                    : new LifecycleException(this + " could not serve its static files: " + e.getMessage(), e);
        }
        serving = new Serving(engine, app, staticFiles);
        LOG.log(System.Logger.Level.INFO, "{0} serves app [{1}] at pathPrefix [{2}]{3}", this, config.name(),
                config.pathPrefix(), config.virtualHosts().isEmpty() ? "" : " for virtualHosts " + config.virtualHosts());
        super.startInternal();
    }

    @Override
    protected synchronized void stopInternal() throws LifecycleException {
        super.stopInternal();
        Serving stopped = serving;
        serving = null;
        if (stopped != null) {
            if (stopped.staticFiles() != null) {
                stopped.staticFiles().stop();
            }
            stopped.engine().detach(this);
            stopped.engine().release();
        }
    }

    /** The app's Corral MBean (null unless started); Tomcat's MBean of the valve shows it. */
    public ObjectName getAppObjectName() {
        Serving s = serving;
        return s == null ? null : s.engine().corral().objectName(s.app());
    }

    /** The engine's Corral MBean (null unless started). */
    public ObjectName getEngineObjectName() {
        Serving s = serving;
        return s == null ? null : s.engine().corral().objectName();
    }

    /** The running engine, shared by every CorralValve of this JVM (null unless started). */
    public Corral getCorral() {
        Serving s = serving;
        return s == null ? null : s.engine().corral();
    }

    // ------------------------------------------------------------------ requests

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Serving s = serving;
        if (s != null && request.getNote(EXCHANGE_NOTE) == null && s.engine().corral().isStatusPath(request.getRequestURI())) {
            TomcatExchange exchange = new TomcatExchange(request, response, false);
            request.setNote(EXCHANGE_NOTE, exchange);
            s.engine().corral().serveStatus(exchange);
            exchange.awaitEnd();
            return;
        }
        if (s == null || request.getNote(EXCHANGE_NOTE) != null
                || s.engine().match(getContainer(), request.getHeader("Host"), request.getRequestURI()) != s.app()) {
            getNext().invoke(request, response);
            return;
        }
        if (s.staticFiles() != null && s.staticFiles().handle(request, response, why -> refuse(s.app(), request, response, why))) {
            return;
        }
        TomcatExchange exchange = new TomcatExchange(request, response,
                request.getContext() != null && request.isAsyncSupported());
        request.setNote(EXCHANGE_NOTE, exchange);
        try {
            s.app().dispatch(exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
        // rejected or served on this thread: ended already; queued: asynchronous from here on
        if (!exchange.suspendIfWaiting()) {
            exchange.awaitEnd();
            exchange.switchProtocols();   // a WebSocket: Tomcat switches the connection once this returns
        }
    }

    /** Answers a static-file path Corral refuses: 404 path_refused, from the engine. */
    private static void refuse(App app, Request request, Response response, String why) {
        TomcatExchange exchange = new TomcatExchange(request, response, false);
        request.setNote(EXCHANGE_NOTE, exchange);
        app.refusePath(exchange, why);
        exchange.awaitEnd();
    }
}
