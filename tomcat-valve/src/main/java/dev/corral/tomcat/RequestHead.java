package dev.corral.tomcat;

import dev.corral.pool.HttpHeader;

import org.apache.catalina.connector.Request;
import org.apache.tomcat.util.http.MimeHeaders;

import java.util.ArrayList;
import java.util.List;

/**
 * What the engine may ask about a request besides its body, read once on the connector thread
 * so that no other thread needs Tomcat's request object for it. Immutable.
 *
 * @param rawTarget     the path as received (still percent-encoded) plus {@code ?query}
 * @param rawPath       the path as received, without the query
 * @param host          the Host header, or null
 * @param headers       every header line in order, repeats included
 * @param contentLength the body length, 0 for none, -1 for a chunked body
 */
record RequestHead(String method, String rawTarget, String rawPath, String protocol, String scheme, String host,
                   String remoteAddr, List<HttpHeader> headers, long contentLength) {

    /**
     * @param refused Tomcat refused the request as malformed: its length is not asked for (with
     *                conflicting Content-Lengths that throws), and taken as 0
     */
    static RequestHead read(Request request, boolean refused) {
        String uri = request.getRequestURI();
        String rawPath = uri == null || uri.isEmpty() ? "/" : uri;
        String query = request.getQueryString();
        // Tomcat's own list keeps the order and repeats of the header lines as received.
        MimeHeaders mimeHeaders = request.getCoyoteRequest().getMimeHeaders();
        List<HttpHeader> headers = new ArrayList<>(mimeHeaders.size());
        for (int i = 0; i < mimeHeaders.size(); i++) {
            headers.add(new HttpHeader(mimeHeaders.getName(i).toString(), mimeHeaders.getValue(i).toString()));
        }
        long contentLength = refused ? 0
                : request.getHeader("Transfer-Encoding") != null ? -1 : Math.max(0, request.getContentLengthLong());
        return new RequestHead(request.getMethod(), query == null ? rawPath : rawPath + "?" + query, rawPath,
                request.getProtocol(), request.isSecure() ? "https" : "http", request.getHeader("Host"),
                request.getRemoteAddr(), List.copyOf(headers), contentLength);
    }
}
