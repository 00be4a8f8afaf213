package io.pbx3sbc.edge.sip.msg;

import java.util.Locale;

/**
 * ";name=value" parameters of a URI or a header, in order; names compared case-insensitively. Small
 * by nature (a handful), so a flat array beats a map.
 */
final class Params {
    static final Params EMPTY = new Params(new String[0]);

    /** name, value, name, value...; value null for a flag parameter such as ";lr". */
    private final String[] pairs;

    private Params(String[] pairs) {
        this.pairs = pairs;
    }

    /**
     * @param text            starts with ';'
     * @param quotedAllowed   header parameters may have quoted-string values; URI parameters may not
     */
    static Params parse(String text, boolean quotedAllowed) {
        return parse(text, 0, quotedAllowed);
    }

    /** The parameters of {@code text} from {@code from} on (no copy of the rest: this runs for every Via). */
    static Params parse(String text, int from, boolean quotedAllowed) {
        if (from >= text.length()) {
            return EMPTY;
        }
        if (text.charAt(from) != ';') {
            throw new MalformedMessageException("parameters must start with ';': " + SipUri.shorten(text));
        }
        java.util.List<String> out = new java.util.ArrayList<>(6);
        int i = from + 1;
        int n = text.length();
        while (i <= n) {
            int end = i;
            boolean quoted = false;
            while (end < n) {
                char c = text.charAt(end);
                if (quoted) {
                    if (c == '\\') {
                        end++;
                    } else if (c == '"') {
                        quoted = false;
                    }
                } else if (c == '"') {
                    if (!quotedAllowed) {
                        throw new MalformedMessageException("quote in a URI parameter");
                    }
                    quoted = true;
                } else if (c == ';') {
                    break;
                }
                end++;
            }
            if (quoted) {
                throw new MalformedMessageException("unterminated quoted parameter");
            }
            String p = text.substring(i, Math.min(end, n)).trim();
            if (p.isEmpty()) {
                throw new MalformedMessageException("empty parameter in " + SipUri.shorten(text));
            }
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim();
            String value = eq < 0 ? null : p.substring(eq + 1).trim();
            if (!Syntax.isToken(name)) {
                throw new MalformedMessageException("bad parameter name '" + SipUri.shorten(name) + "'");
            }
            if (value != null && !(value.startsWith("\"") ? quotedAllowed : Syntax.isUriText(value))) {
                throw new MalformedMessageException("bad parameter value for " + name);
            }
            out.add(name);
            out.add(value);
            i = end + 1;
        }
        return new Params(out.toArray(new String[0]));
    }

    String get(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                return pairs[i + 1] == null ? "" : pairs[i + 1];
            }
        }
        return null;
    }

    boolean has(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** A copy with {@code name} set (replaced in place, or appended). */
    Params with(String name, String value) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equalsIgnoreCase(name)) {
                String[] copy = pairs.clone();
                copy[i + 1] = value;
                return new Params(copy);
            }
        }
        String[] copy = java.util.Arrays.copyOf(pairs, pairs.length + 2);
        copy[pairs.length] = name.toLowerCase(Locale.ROOT);
        copy[pairs.length + 1] = value;
        return new Params(copy);
    }

    void appendTo(StringBuilder sb) {
        for (int i = 0; i < pairs.length; i += 2) {
            sb.append(';').append(pairs[i]);
            if (pairs[i + 1] != null) {
                sb.append('=').append(pairs[i + 1]);
            }
        }
    }
}
