package dev.wakefd.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and null as JSON; enough for --json output.
 * Strings escape every control character, so {@link #line} output never holds a line break.
 */
final class Json {
    private Json() {}

    /** Indented, for a single document. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    /** On one line with no newline in it, for JSON Lines (one document per line). */
    static String line(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1);
        return sb.toString();
    }

    /**
     * A document's first field: which command wrote it and the version of its layout, e.g.
     * {@code wakefd-demo/1}. The number grows when a field changes meaning or goes away.
     */
    static Map<String, Object> document(String command) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("schema", "wakefd-" + command + "/1");
        return m;
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d -> sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
            case Number n -> sb.append(n);
            case UnsignedLong u -> sb.append(Long.toUnsignedString(u.value()));
            case Map<?, ?> m -> {
                sb.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    newline(sb, inner(depth));
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(depth < 0 ? ":" : ": ");
                    write(sb, e.getValue(), inner(depth));
                    if (it.hasNext()) {
                        sb.append(',');
                    }
                }
                if (!m.isEmpty()) {
                    newline(sb, depth);
                }
                sb.append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    newline(sb, inner(depth));
                    write(sb, l.get(i), inner(depth));
                    if (i + 1 < l.size()) {
                        sb.append(',');
                    }
                }
                if (!l.isEmpty()) {
                    newline(sb, depth);
                }
                sb.append(']');
            }
            default ->
                throw new IllegalArgumentException(
                        "Json.write: cannot write a " + v.getClass().getName());
        }
    }

    /** The depth of what a container holds; one-line mode (below 0) stays below 0. */
    private static int inner(int depth) {
        return depth < 0 ? depth : depth + 1;
    }

    /** A line break and indent; nothing in one-line mode (depth below 0). */
    private static void newline(StringBuilder sb, int depth) {
        if (depth >= 0) {
            sb.append('\n').append("  ".repeat(depth));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** An unsigned 64-bit value (an eventfd count), written as its decimal digits. */
    record UnsignedLong(long value) {}
}
