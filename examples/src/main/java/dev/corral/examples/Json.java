package dev.corral.examples;

import dev.corral.config.JsonText;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The few lines of JSON writing {@code corral status --json} needs, to keep the demo jar free of
 * a JSON library: {@code null}, strings, booleans, numbers (a non-finite double becomes
 * {@code null}), maps with string keys (in their iteration order), collections and arrays of
 * these. Pretty-printed with two spaces, so that people can read it and {@code jq} parse it.
 *
 * <p>Stateless.
 */
final class Json {
    private Json() {
    }

    /** {@code value} as JSON text, without a trailing newline. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "");
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, String indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String || value instanceof Character) {
            JsonText.quote(value.toString(), out);
        } else if (value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            out.append(Double.isFinite(d) ? number(d) : "null");
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            object(map, out, indent);
        } else if (value instanceof Collection<?> collection) {
            array(collection.toArray(), out, indent);
        } else if (value instanceof Object[] array) {
            array(array, out, indent);
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName() + ": " + value);
        }
    }

    private static void object(Map<?, ?> map, StringBuilder out, String indent) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        String inner = indent + "  ";
        out.append("{\n");
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!first) {
                out.append(",\n");
            }
            first = false;
            out.append(inner);
            JsonText.quote(String.valueOf(entry.getKey()), out);
            out.append(": ");
            write(entry.getValue(), out, inner);
        }
        out.append('\n').append(indent).append('}');
    }

    private static void array(Object[] values, StringBuilder out, String indent) {
        if (values.length == 0) {
            out.append("[]");
            return;
        }
        String inner = indent + "  ";
        out.append("[\n");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ",\n").append(inner);
            write(values[i], out, inner);
        }
        out.append('\n').append(indent).append(']');
    }

    /** A whole number without ".0", others as Java prints them (which JSON accepts, exponent included). */
    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d).toLowerCase(Locale.ROOT);
    }
}
