package dev.corral.jetty;

import dev.corral.config.AppConfig;
import dev.corral.pool.App;
import dev.corral.pool.StaticFiles;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The apps' static files ({@code staticDir}) on Jetty: per app with static files, a
 * {@link ContextHandler} at the app's {@code pathPrefix} wrapping a {@link ResourceHandler} on
 * the directory, so Jetty's own {@code ResourceService} answers (weak ETag, Last-Modified,
 * conditional and range requests, HEAD, mapped buffers for large files). The context exists
 * for its alias checks, which Jetty runs only inside a {@code ContextHandler}: it has none, so
 * Jetty serves no alias (no symbolic link, wherever it points: the same rule as Tomcat's
 * {@code allowLinking=false}), instead of the Unix default that follows links anywhere.
 * Directories are never listed.
 *
 * <p>Which requests are candidates is {@link StaticFiles}'s decision, the same as on Tomcat. A
 * candidate that is no regular file goes to the app; one that Jetty will not serve (a link out
 * of the directory) is refused with 404 ({@link App#refusePath}).
 *
 * <p>The contexts are beans of the {@link CorralHandler}, started and stopped with it.
 * Immutable after construction; thread-safe.
 */
final class JettyStaticFiles {
    /** The static files' context of each app that has static files, by app name. */
    private final Map<String, ContextHandler> contexts;

    private JettyStaticFiles(Map<String, ContextHandler> contexts) {
        this.contexts = contexts;
    }

    /** A context per app with static files; the caller adds them as managed beans. */
    static JettyStaticFiles of(Iterable<App> apps) {
        Map<String, ContextHandler> contexts = new java.util.HashMap<>();
        for (App app : apps) {
            AppConfig config = app.config();
            if (config.staticDir() != null) {
                contexts.put(app.name(), context(config));
            }
        }
        return new JettyStaticFiles(Map.copyOf(contexts));
    }

    Iterable<ContextHandler> contexts() {
        return contexts.values();
    }

    private static ContextHandler context(AppConfig config) {
        ResourceHandler files = new ResourceHandler();
        files.setDirAllowed(false);
        files.setEtags(true);
        files.setWelcomeFiles();
        ContextHandler context = new ContextHandler(files, config.pathPrefix());
        context.setDisplayName("corral-static-" + config.name());
        // the directory is the real path (the binder resolved it): it is no alias itself
        context.setBaseResource(ResourceFactory.of(context).newResource(config.staticDir()));
        files.setBaseResource(context.getBaseResource());
        // no alias check at all: Jetty serves no alias (a symbolic link, wherever it points), as
        // Tomcat's allowLinking=false; the Unix default would follow links anywhere
        context.clearAliasChecks();
        return context;
    }

    /**
     * Serves the request from the app's static files, or refuses it.
     *
     * @return false if the app serves the request
     */
    boolean handle(App app, JettyExchange exchange, Request request, Response response, Callback callback)
            throws Exception {
        ContextHandler context = contexts.get(app.name());
        if (context == null) {
            return false;
        }
        StaticFiles.Lookup lookup = StaticFiles.lookup(app.config(), request.getMethod(), exchange.rawPath(),
                request.getHttpURI().getDecodedPath());
        switch (lookup.kind()) {
            case APP:
                return false;
            case REFUSE:
                app.refusePath(exchange, lookup.why());
                return true;
            default:
                break;
        }
        Path file = app.config().staticDir().resolve(lookup.path().substring(1));
        if (!Files.isRegularFile(file)) {
            return false;   // missing, or a directory: the app's
        }
        if (!context.handle(request, response, callback)) {
            app.refusePath(exchange, "Jetty does not serve [" + lookup.path() + "] (a link whose target is outside it?)");
        }
        return true;
    }
}
