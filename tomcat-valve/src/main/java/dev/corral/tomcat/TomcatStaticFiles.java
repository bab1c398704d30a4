package dev.corral.tomcat;

import dev.corral.config.AppConfig;
import dev.corral.pool.StaticFiles;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;

import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Engine;
import org.apache.catalina.Globals;
import org.apache.catalina.Host;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.WebResource;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.StandardRoot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Consumer;

/**
 * One app's static files ({@code staticDir}) on Tomcat, served by Tomcat's own
 * {@link DefaultServlet} from a {@link StandardRoot} on the directory: weak ETag, Last-Modified,
 * conditional and range requests, HEAD, Tomcat's resource cache, and sendfile for large files
 * where the connector offers it. The valve may sit on a Host or an Engine with no Context
 * mapped, so the servlet and the root hang on a small {@link StandardContext} of their own:
 * never added to a Host, never mapped, it only gives them their Tomcat surroundings (the
 * {@code ServletContext} with Tomcat's MIME types, and the Host and Engine above it).
 *
 * <p>Safety is the root's: with {@code allowLinking=false} (Tomcat's default) it refuses every
 * file reached through a symbolic link (its canonical path must be its path), and its
 * {@code validate} refuses paths that leave it. {@link StaticFiles} decides which requests are
 * candidates, as on Jetty: a candidate that is no regular file goes to the app, and one the
 * root refuses gets 404.
 *
 * <p>Started and stopped by its valve; thread-safe once started.
 */
final class TomcatStaticFiles {
    /** The request attribute that carries the path below the directory to {@link FileServlet#getRelativePath}. */
    private static final String PATH_ATTRIBUTE = "dev.corral.staticPath";

    private final AppConfig config;
    private final StandardContext context = new StandardContext();
    private final StandardRoot root = new StandardRoot(context);
    private final FileServlet servlet = new FileServlet();

    private TomcatStaticFiles(AppConfig config) {
        this.config = config;
    }

    /** The static files of the app, or null if it has none. */
    static TomcatStaticFiles start(AppConfig config, Container container) throws LifecycleException {
        if (config.staticDir() == null) {
            return null;
        }
        TomcatStaticFiles files = new TomcatStaticFiles(config);
        files.start(host(container));
        return files;
    }

    private void start(Host host) throws LifecycleException {
        context.setName("/corral-static-" + config.name());
        context.setPath("/corral-static-" + config.name());
        context.setDocBase(config.staticDir().toString());
        context.setParent(host);
        Tomcat.addDefaultMimeTypeMappings(context);
        root.setAllowLinking(false);
        context.setResources(root);
        root.start();
        ServletContext servletContext = context.getServletContext();
        servletContext.setAttribute(Globals.RESOURCES_ATTR, root);
        try {
            servlet.init(new FileServletConfig(servletContext));
        } catch (ServletException e) {
            root.stop();
            root.destroy();
            throw new LifecycleException("cannot serve the static files of app [" + config.name() + "] from ["
                    + config.staticDir() + "]: " + e, e);
        }
    }

    void stop() {
        servlet.destroy();
        try {
            root.stop();
            root.destroy();
        } catch (LifecycleException e) {
            System.getLogger("dev.corral.tomcat").log(System.Logger.Level.WARNING,
                    "stopping the static files of app [" + config.name() + "]: " + e);
        }
    }

    /** The Host whose Engine the context hangs on: the valve's, or its Engine's default one. */
    private static Host host(Container container) {
        for (Container c = container; c != null; c = c.getParent()) {
            if (c instanceof Host host) {
                return host;
            }
            if (c instanceof Engine engine) {
                Container named = engine.findChild(engine.getDefaultHost());
                if (named instanceof Host host) {
                    return host;
                }
                for (Container child : engine.findChildren()) {
                    if (child instanceof Host host) {
                        return host;
                    }
                }
            }
        }
        throw new IllegalStateException("a CorralValve with static files needs a Host or an Engine with a Host: "
                + container);
    }

    /**
     * Serves the request from the static files, refuses it, or leaves it to the app.
     *
     * @param refuse called with why a request is refused (the caller answers 404)
     * @return false if the app serves the request
     */
    boolean handle(Request request, Response response, Consumer<String> refuse) throws IOException, ServletException {
        StaticFiles.Lookup lookup = StaticFiles.lookup(config, request.getMethod(), request.getRequestURI(),
                request.getDecodedRequestURI());
        if (response.isError() && lookup.kind() != StaticFiles.Kind.REFUSE) {
            return false;   // a request Tomcat refused goes the way of any other (TomcatExchange.containerRefusal)
        }
        switch (lookup.kind()) {
            case APP:
                return false;
            case REFUSE:
                if (!response.isError()) {
                    refuse.accept(lookup.why());
                }   // else Tomcat refused the request before the valve ran (400 for ".." above the root): its answer stands
                return true;
            default:
                break;
        }
        Path file = config.staticDir().resolve(lookup.path().substring(1));
        if (!Files.isRegularFile(file)) {
            return false;   // missing, or a directory: the app's
        }
        WebResource resource = root.getResource(lookup.path());
        if (!resource.isFile()) {
            refuse.accept("Tomcat does not serve [" + lookup.path() + "] (a symbolic link: allowLinking=false)");
            return true;
        }
        request.setAttribute(PATH_ATTRIBUTE, lookup.path());
        servlet.service(request.getRequest(), response.getResponse());
        return true;
    }

    /** Tomcat's DefaultServlet, told the path below the directory rather than reading it from a mapping. */
    private static final class FileServlet extends DefaultServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected String getRelativePath(HttpServletRequest request, boolean allowEmptyPath) {
            return (String) request.getAttribute(PATH_ATTRIBUTE);
        }
    }

    /** DefaultServlet's init parameters: its defaults (no listings, read-only, ranges, sendfile above 48 KB). */
    private record FileServletConfig(ServletContext servletContext) implements ServletConfig {
        @Override
        public String getServletName() {
            return "corral-static";
        }

        @Override
        public ServletContext getServletContext() {
            return servletContext;
        }

        @Override
        public String getInitParameter(String name) {
            return null;
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.emptyEnumeration();
        }
    }
}
