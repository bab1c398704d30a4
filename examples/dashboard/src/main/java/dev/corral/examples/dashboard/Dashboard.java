package dev.corral.examples.dashboard;

import dev.corral.cdi.CorralView;
import dev.corral.event.CorralEvent;
import dev.corral.pool.AppStatus;
import dev.corral.pool.ProcessStatus;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * The dashboard's page ({@code GET /}): Corral's apps and processes, and the last events, newest
 * first; it reloads itself every 2 seconds. {@code /pool} and {@code /events} are the same as JSON.
 */
@WebServlet("")
public class Dashboard extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN_EVENTS = 20;

    @Inject
    CorralView corral;
    @Inject
    EventLog events;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String base = request.getContextPath();
        response.setContentType("text/html; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        PrintWriter out = response.getWriter();
        out.println("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">");
        out.println("<title>Corral dashboard</title><style>body{font-family:sans-serif;margin:2em}"
                + "td,th{padding:.2em .8em;text-align:left}</style></head><body>");
        out.println("<h1>Corral dashboard</h1>");
        out.println("<p>A Java webapp beside Corral's apps: it calls the app <b>" + DemoCall.APP + "</b> at <a href=\""
                + base + "/call/\">" + base + "/call/</a> (try <a href=\"" + base + "/call/slow?ms=3000\">" + base
                + "/call/slow?ms=3000</a> in a few tabs at once); JSON: <a href=\"" + base + "/pool\">pool</a>, <a href=\""
                + base + "/events\">events</a>.</p>");
        for (AppStatus app : corral.apps()) {
            out.println("<h2>" + html(app.name()) + "</h2><p>" + app.ready() + " ready, " + app.busy() + " busy, "
                    + app.queued() + " queued; served " + app.served() + ", rejected " + app.rejected() + ", failed "
                    + app.failed() + "</p>");
            out.println("<table><tr><th>pid</th><th>state</th><th>in flight</th><th>served</th><th>up (s)</th></tr>");
            for (ProcessStatus process : app.processList()) {
                out.println("<tr><td>" + process.pid() + "</td><td>" + process.state() + "</td><td>" + process.sessions()
                        + "</td><td>" + process.processed() + "</td><td>" + process.uptimeMillis() / 1000 + "</td></tr>");
            }
            out.println("</table>");
        }
        List<EventLog.Entry> last = events.entries();
        out.println("<h2>Last events</h2><table><tr><th>#</th><th>time</th><th>app</th><th>event</th></tr>");
        for (int i = last.size() - 1; i >= Math.max(0, last.size() - SHOWN_EVENTS); i--) {
            EventLog.Entry entry = last.get(i);
            CorralEvent event = entry.event();
            out.println("<tr><td>" + entry.number() + "</td><td>" + event.time() + "</td><td>" + html(event.app())
                    + "</td><td>" + html(event.toString()) + "</td></tr>");
        }
        out.println("</table></body></html>");
    }

    private static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
