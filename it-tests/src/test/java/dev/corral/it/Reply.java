package dev.corral.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code GET} on a connection of its own ({@code Connection: close}), as a new client does:
 * so a balancer in front never sends it over a connection another request used. Its status
 * (0 when the connection ended without an answer) and the {@code X-Served-By} header. Immutable.
 */
record Reply(int status, String servedBy, String detail) {
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
    private static final Pattern SERVED_BY = Pattern.compile("(?im)^X-Served-By: *(\\S+)");

    static Reply get(int port, String path) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            Matcher status = STATUS.matcher(text);
            if (!status.find()) {
                return new Reply(0, null, "no answer: [" + It.abbreviate(text, 200) + "]");
            }
            int head = text.indexOf("\r\n\r\n");
            Matcher servedBy = SERVED_BY.matcher(head < 0 ? text : text.substring(0, head));
            return new Reply(Integer.parseInt(status.group(1)), servedBy.find() ? servedBy.group(1) : null,
                    It.abbreviate(head < 0 ? "" : text.substring(head + 4).strip(), 200));
        } catch (IOException e) {
            return new Reply(0, null, e.toString());
        }
    }

    @Override
    public String toString() {
        return status + (servedBy == null ? "" : " by " + servedBy) + (status == 200 ? "" : " (" + detail + ")");
    }
}
