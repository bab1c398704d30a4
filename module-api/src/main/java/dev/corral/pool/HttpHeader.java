package dev.corral.pool;

import java.util.List;

/** One HTTP header field, as it travels between client, Corral and app. */
public record HttpHeader(String name, String value) {

    /** The value of the first of {@code headers} named {@code name} (in any case), or null. */
    public static String first(List<HttpHeader> headers, String name) {
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    /**
     * Whether no header before the {@code i}th of {@code headers} has its name (in any case): the
     * container sets the first of a name and adds the others. A scan, not a set of lower-case
     * names: a response has a handful of headers, and this runs for every response.
     */
    public static boolean isFirstOfItsName(List<HttpHeader> headers, int i) {
        String name = headers.get(i).name();
        for (int j = 0; j < i; j++) {
            if (headers.get(j).name().equalsIgnoreCase(name)) {
                return false;
            }
        }
        return true;
    }
}
