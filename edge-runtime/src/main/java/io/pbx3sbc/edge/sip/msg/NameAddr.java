package io.pbx3sbc.edge.sip.msg;

/**
 * A From, To, Contact, Route or Record-Route element: an optional display name, a URI, and header
 * parameters (the tag). Kept as received for relaying; parsed strictly so broken ones are refused.
 */
public final class NameAddr {
    private final String text;
    private final SipUri uri;
    private final Params params;

    private NameAddr(String text, SipUri uri, Params params) {
        this.text = text;
        this.uri = uri;
        this.params = params;
    }

    public static NameAddr parse(String s) {
        String t = s.trim();
        int i = 0;
        if (t.startsWith("\"")) {
            i = 1;
            while (i < t.length() && t.charAt(i) != '"') {
                i += t.charAt(i) == '\\' ? 2 : 1;
            }
            if (i >= t.length()) {
                throw new MalformedMessageException("unterminated quoted display name");
            }
            i++;
            while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
                i++;
            }
            if (i >= t.length() || t.charAt(i) != '<') {
                throw new MalformedMessageException("display name without <URI>");
            }
        }
        int open = t.indexOf('<', i);
        if (open >= 0) {
            String display = t.substring(i == 0 ? 0 : i, open).trim();
            if (i == 0 && !display.isEmpty()) {
                for (String word : display.replace('\t', ' ').split(" ")) {
                    if (!word.isEmpty() && !Syntax.isToken(word)) {
                        throw new MalformedMessageException("bad display name '" + SipUri.shorten(display) + "'");
                    }
                }
            }
            int close = t.indexOf('>', open);
            if (close < 0) {
                throw new MalformedMessageException("unclosed <URI>");
            }
            SipUri uri = SipUri.parse(t.substring(open + 1, close));
            return new NameAddr(t, uri, Params.parse(t.substring(close + 1).trim(), true));
        }
        // addr-spec: parameters after the URI belong to the header, not the URI
        int semi = t.indexOf(';');
        String u = semi < 0 ? t : t.substring(0, semi);
        if (u.indexOf(' ') >= 0 || u.indexOf(',') >= 0 || u.indexOf('?') >= 0) {
            throw new MalformedMessageException("bad addr-spec '" + SipUri.shorten(t) + "'");
        }
        return new NameAddr(t, SipUri.parse(u), semi < 0 ? Params.EMPTY : Params.parse(t.substring(semi), true));
    }

    public SipUri uri() {
        return uri;
    }

    public String param(String name) {
        return params.get(name);
    }

    public String tag() {
        String tag = params.get("tag");
        return tag == null || tag.isEmpty() ? null : tag;
    }

    /** The same element with a tag added (for To in the edge's own answers). */
    public String withTag(String tag) {
        return text + ";tag=" + tag;
    }

    @Override
    public String toString() {
        return text;
    }
}
