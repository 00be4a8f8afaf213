package io.pbx3sbc.edge.sip.msg;

import java.util.ArrayList;
import java.util.List;

/** RFC 3261's character classes and the few small grammar pieces every header shares. */
final class Syntax {
    private Syntax() {
    }

    /** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    /** Characters a URI's user, parameters or a tel number may hold (unreserved, escaped, and the URI marks). */
    static boolean isUriText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '{' || c == '}'
                    || c == '|' || c == '^' || c == '[' || c == ']' || c == '`') {
                return false;
            }
        }
        return true;
    }

    /** hostname or IPv4 address: labels of alphanumerics and '-', separated by dots. */
    static boolean isHostname(String h) {
        if (h.isEmpty() || h.length() > 255) {
            return false;
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_')) {
                return false;
            }
        }
        return h.charAt(0) != '.' && h.charAt(0) != '-';
    }

    static boolean isIpv6Reference(String h) {
        if (h.length() < 4 || h.charAt(0) != '[' || h.charAt(h.length() - 1) != ']') {
            return false;
        }
        for (int i = 1; i < h.length() - 1; i++) {
            char c = h.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
                return false;
            }
        }
        return h.indexOf(':') > 0;
    }

    static int port(String p) {
        if (p.isEmpty() || p.length() > 5) {
            throw new MalformedMessageException("bad port '" + p + "'");
        }
        int v = digits(p, "port");
        if (v < 1 || v > 65535) {
            throw new MalformedMessageException("port out of range: " + p);
        }
        return v;
    }

    /** A non-negative decimal of at most 10 digits that fits an int. */
    static int digits(String s, String what) {
        if (s.isEmpty() || s.length() > 10) {
            throw new MalformedMessageException(what + " is not a number: '" + SipUri.shorten(s) + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedMessageException(what + " is not a number: '" + SipUri.shorten(s) + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v > Integer.MAX_VALUE) {
            throw new MalformedMessageException(what + " out of range: " + s);
        }
        return (int) v;
    }

    /**
     * Splits a header value on the commas that separate its elements (Via, Route, Contact), not those
     * inside quotes or angle brackets.
     */
    static List<String> splitElements(String value) {
        List<String> out = new ArrayList<>(2);
        boolean quoted = false;
        int angle = 0;
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '<') {
                angle++;
            } else if (c == '>') {
                angle--;
            } else if (c == ',' && angle == 0) {
                out.add(value.substring(start, i).trim());
                start = i + 1;
            }
        }
        if (quoted || angle != 0) {
            throw new MalformedMessageException("unbalanced quotes or angle brackets in '" + SipUri.shorten(value) + "'");
        }
        out.add(value.substring(start).trim());
        for (String e : out) {
            if (e.isEmpty()) {
                throw new MalformedMessageException("empty element in '" + SipUri.shorten(value) + "'");
            }
        }
        return out;
    }
}
