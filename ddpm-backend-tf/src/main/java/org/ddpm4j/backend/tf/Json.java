package org.ddpm4j.backend.tf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.api.InvalidParameterException;

/**
 * The JSON of model cards, read into maps, lists, strings, numbers (Long or Double), booleans and
 * null, and written back. Just enough JSON for a plugin that may depend on the API only.
 */
final class Json {
    private static final Map<String, Object> LITERALS = new LinkedHashMap<>();

    static {
        LITERALS.put("true", Boolean.TRUE);
        LITERALS.put("false", Boolean.FALSE);
        LITERALS.put("null", null);
    }

    private final String text;
    private final String source;
    private int pos;

    private Json(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** Parses a JSON object; {@code source} names the file in errors. */
    static Map<String, Object> parseObject(String text, String source) {
        Json json = new Json(text, source);
        json.skipSpace();
        if (json.peek() != '{') {
            throw json.error("a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> value = (Map<String, Object>) json.value();
        json.skipSpace();
        if (json.pos < text.length()) {
            throw json.error("the end of the file");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        char c = peek();
        if (c == '{') {
            return object();
        }
        if (c == '[') {
            return array();
        }
        if (c == '"') {
            return string();
        }
        if (c == '-' || Character.isDigit(c)) {
            return number();
        }
        for (Map.Entry<String, Object> literal : LITERALS.entrySet()) {
            if (text.startsWith(literal.getKey(), pos)) {
                pos += literal.getKey().length();
                return literal.getValue();
            }
        }
        throw error("a JSON value");
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        do {
            skipSpace();
            if (peek() != '"') {
                throw error("a quoted key");
            }
            String key = string();
            skipSpace();
            expect(':');
            if (m.containsKey(key)) {
                throw error("no second '" + key + "'");
            }
            m.put(key, value());
            skipSpace();
        } while (next(','));
        expect('}');
        return m;
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        do {
            list.add(value());
            skipSpace();
        } while (next(','));
        expect(']');
        return list;
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        pos++;
        while (true) {
            char c = charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = charAt(pos++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(text.substring(pos, Math.min(pos + 4, text.length())), 16));
                    pos += 4;
                }
                default -> b.append(e);
            }
        }
    }

    private Number number() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String n = text.substring(start, pos);
        try {
            return n.matches("-?\\d+") ? (Number) Long.parseLong(n) : (Number) Double.parseDouble(n);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("a number");
        }
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char charAt(int i) {
        if (i >= text.length()) {
            throw error("more text (the file ends early)");
        }
        return text.charAt(i);
    }

    private boolean next(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!next(c)) {
            throw error("'" + c + "'");
        }
    }

    private InvalidParameterException error(String expected) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new InvalidParameterException("file", source, "malformed JSON at line " + line + ", column " + column + ": expected " + expected);
    }

    /** Pretty JSON text of maps, lists, strings, numbers, booleans and null. */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b, "");
        return b.append('\n').toString();
    }

    private static void write(Object value, StringBuilder b, String indent) {
        if (value instanceof Map<?, ?> map) {
            b.append('{');
            String inner = indent + "  ";
            String separator = "\n";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(separator).append(inner);
                quote(String.valueOf(e.getKey()), b);
                b.append(": ");
                write(e.getValue(), b, inner);
                separator = ",\n";
            }
            b.append(map.isEmpty() ? "" : "\n" + indent).append('}');
        } else if (value instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ", ");
                write(list.get(i), b, indent);
            }
            b.append(']');
        } else if (value != null && value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                list.add(java.lang.reflect.Array.get(value, i));
            }
            write(list, b, indent);
        } else if (value instanceof String s) {
            quote(s, b);
        } else {
            b.append(value); // numbers, booleans, null
        }
    }

    private static void quote(String s, StringBuilder b) {
        b.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        b.append('"');
    }
}
