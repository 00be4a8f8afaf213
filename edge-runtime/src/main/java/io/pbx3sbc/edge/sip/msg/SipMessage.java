package io.pbx3sbc.edge.sip.msg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One SIP message as a proxy needs it, the way Kamailio keeps one: the start line, the header lines as
 * received (names in their long form, one element per Via, Route and Record-Route line), the body as
 * bytes, and the few values the edge reads parsed on first use. Relaying edits the header list (a Via
 * on top, Max-Forwards, Route) and writes it out again; nothing is rebuilt that was not touched.
 *
 * <p>{@link #parse} is strict about everything the edge reads or a backend might trip on (RFC 3261
 * sanity: start line, mandatory headers, CSeq, Via, URIs, numbers, Content-Length) and throws
 * {@link MalformedMessageException} for the rest of its life: a message that parsed is sane.
 * Not thread-safe; one message belongs to one thread at a time.
 */
public final class SipMessage {
    private static final byte[] CRLF = {'\r', '\n'};

    private final boolean request;
    private final String method;
    private final String requestUriText;
    private final int status;
    private final String reason;
    private final List<String[]> headers; // {long name, value}
    private final byte[] body;
    private SipUri requestUri;
    private List<ViaHop> vias;
    private NameAddr from;
    private NameAddr to;
    private int cseqNumber = -1;
    private String cseqMethod;

    private SipMessage(boolean request, String method, String requestUriText, int status, String reason,
                       List<String[]> headers, byte[] body) {
        this.request = request;
        this.method = method;
        this.requestUriText = requestUriText;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
    }

    // ---------------------------------------------------------------------------------------------
    // Parsing

    /**
     * @param framed true when a stream transport already cut the message at its Content-Length; false for
     *               a datagram, whose body must then be at least as long as Content-Length says
     */
    public static SipMessage parse(byte[] bytes, boolean framed) {
        int headersEnd = headersEnd(bytes);
        if (headersEnd < 0) {
            throw new MalformedMessageException("no blank line after the headers");
        }
        String head = new String(bytes, 0, headersEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headersEnd + (bytes[headersEnd] == '\r' ? 4 : 2);
        List<String> lines = lines(head);
        String start = lines.get(0);
        boolean request;
        String method = null;
        String ruri = null;
        int status = 0;
        String reason = null;
        if (start.startsWith("SIP/2.0 ")) {
            request = false;
            int sp = start.indexOf(' ', 8);
            String code = sp < 0 ? start.substring(8) : start.substring(8, sp);
            if (code.length() != 3) {
                throw new MalformedMessageException("bad status code");
            }
            status = Syntax.digits(code, "status code");
            if (status < 100 || status > 699) {
                throw new MalformedMessageException("status code out of range");
            }
            reason = sp < 0 ? "" : start.substring(sp + 1);
        } else {
            request = true;
            int sp1 = start.indexOf(' ');
            int sp2 = start.lastIndexOf(' ');
            if (sp1 <= 0 || sp2 <= sp1) {
                throw new MalformedMessageException("bad request line");
            }
            method = start.substring(0, sp1);
            ruri = start.substring(sp1 + 1, sp2);
            if (!Syntax.isToken(method) || !start.substring(sp2 + 1).equals("SIP/2.0") || ruri.indexOf(' ') >= 0) {
                throw new MalformedMessageException("bad request line or SIP version");
            }
        }
        List<String[]> headers = new ArrayList<>(lines.size() + 4);
        String name = null;
        StringBuilder value = null;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (name == null) {
                    throw new MalformedMessageException("continuation line without a header");
                }
                value.append(' ').append(line.trim());
                continue;
            }
            if (name != null) {
                add(headers, name, value.toString().trim());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMessageException("header line without a name");
            }
            String raw = line.substring(0, colon).trim();
            if (!Syntax.isToken(raw)) {
                throw new MalformedMessageException("bad header name");
            }
            name = HeaderNames.canonical(raw);
            value = new StringBuilder(line.length()).append(line, colon + 1, line.length());
        }
        if (name != null) {
            add(headers, name, value.toString().trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, Math.min(bodyStart, bytes.length), bytes.length);
        SipMessage m = new SipMessage(request, method, ruri, status, reason, headers, body);
        m.check(framed);
        return m;
    }

    /** The lines of the header block, CRLF or bare LF ended (no regex: this runs for every message). */
    private static List<String> lines(String head) {
        List<String> out = new ArrayList<>(16);
        int start = 0;
        for (int i = 0; i < head.length(); i++) {
            if (head.charAt(i) == '\n') {
                int end = i > start && head.charAt(i - 1) == '\r' ? i - 1 : i;
                out.add(head.substring(start, end));
                start = i + 1;
            }
        }
        out.add(head.substring(start, head.length() > start && head.charAt(head.length() - 1) == '\r' ? head.length() - 1 : head.length()));
        return out;
    }

    private static void add(List<String[]> headers, String name, String value) {
        if (HeaderNames.isList(name)) {
            for (String element : Syntax.splitElements(value)) {
                headers.add(new String[] {name, element});
            }
        } else {
            headers.add(new String[] {name, value});
        }
    }

    /** Offset of the blank line that ends the headers (the CRLF before it), or -1. */
    static int headersEnd(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The sanity the seed asks of Kamailio ({@code sanity_check("1511")}) and what the edge itself reads. */
    private void check(boolean framed) {
        if (request) {
            requestUri();
        }
        if (vias().isEmpty()) {
            throw new MalformedMessageException("missing Via");
        }
        if (value("From") == null) {
            throw new MalformedMessageException("missing From");
        }
        if (value("To") == null) {
            throw new MalformedMessageException("missing To");
        }
        from();
        to();
        String callId = value("Call-ID");
        if (callId == null || callId.isEmpty()) {
            throw new MalformedMessageException("missing Call-ID");
        }
        if (callId.indexOf(' ') >= 0 || callId.indexOf('\t') >= 0) {
            throw new MalformedMessageException("bad Call-ID");
        }
        String cseq = value("CSeq");
        if (cseq == null) {
            throw new MalformedMessageException("missing CSeq");
        }
        parseCSeq(cseq);
        if (request && !cseqMethod.equals(method)) {
            throw new MalformedMessageException("CSeq method differs from the request method");
        }
        String mf = value("Max-Forwards");
        if (mf != null && Syntax.digits(mf, "Max-Forwards") > 255) {
            throw new MalformedMessageException("Max-Forwards out of range");
        }
        String expires = value("Expires");
        if (expires != null) {
            Syntax.digits(expires, "Expires");
        }
        for (String[] h : headers) {
            switch (h[0]) {
                case "Contact" -> {
                    if (!h[1].equals("*")) {
                        for (String element : Syntax.splitElements(h[1])) {
                            NameAddr.parse(element);
                        }
                    }
                }
                case "Route", "Record-Route" -> NameAddr.parse(h[1]);
                default -> {
                }
            }
        }
        String cl = value("Content-Length");
        int declared = cl == null ? 0 : Syntax.digits(cl, "Content-Length");
        if (!framed) {
            if (cl == null && body.length > 0) {
                throw new MalformedMessageException("body without Content-Length");
            }
            if (declared > body.length) {
                throw new MalformedMessageException("Content-Length " + declared + " larger than the body (" + body.length + " bytes)");
            }
        }
    }

    private void parseCSeq(String cseq) {
        int sp = cseq.indexOf(' ');
        if (sp <= 0) {
            throw new MalformedMessageException("bad CSeq");
        }
        String num = cseq.substring(0, sp).trim();
        String m = cseq.substring(sp + 1).trim();
        cseqNumber = Syntax.digits(num, "CSeq number");
        if (!Syntax.isToken(m)) {
            throw new MalformedMessageException("bad CSeq method");
        }
        cseqMethod = m;
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    public boolean isRequest() {
        return request;
    }

    public String method() {
        return method;
    }

    public SipUri requestUri() {
        if (requestUri == null && requestUriText != null) {
            requestUri = SipUri.parse(requestUriText);
        }
        return requestUri;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** The first value of a header (long name), or null. */
    public String value(String name) {
        for (String[] h : headers) {
            if (h[0].equals(name)) {
                return h[1];
            }
        }
        return null;
    }

    /** Every element of a header, in order. */
    public List<String> values(String name) {
        List<String> out = new ArrayList<>(2);
        for (String[] h : headers) {
            if (h[0].equals(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    public List<ViaHop> vias() {
        if (vias == null) {
            List<ViaHop> v = new ArrayList<>(3);
            for (String[] h : headers) {
                if (h[0].equals("Via")) {
                    v.add(ViaHop.parse(h[1]));
                }
            }
            vias = v;
        }
        return vias;
    }

    public ViaHop topVia() {
        return vias().get(0);
    }

    public NameAddr from() {
        if (from == null) {
            from = NameAddr.parse(value("From"));
        }
        return from;
    }

    public NameAddr to() {
        if (to == null) {
            to = NameAddr.parse(value("To"));
        }
        return to;
    }

    public String callId() {
        return value("Call-ID");
    }

    public int cseqNumber() {
        return cseqNumber;
    }

    public String cseqMethod() {
        return cseqMethod;
    }

    /** -1 when absent. */
    public int maxForwards() {
        String mf = value("Max-Forwards");
        return mf == null ? -1 : Integer.parseInt(mf);
    }

    /** The URI of the first Contact, or null (none, "*", or not a SIP URI). */
    public SipUri contactUri() {
        String c = value("Contact");
        if (c == null || c.equals("*")) {
            return null;
        }
        SipUri u = NameAddr.parse(Syntax.splitElements(c).get(0)).uri();
        return u.isSip() ? u : null;
    }

    public byte[] body() {
        return body;
    }

    // ---------------------------------------------------------------------------------------------
    // Editing (a relayed copy)

    /** A copy whose header list may be edited without touching this one (values are shared, immutable). */
    public SipMessage copy() {
        List<String[]> h = new ArrayList<>(headers.size() + 3);
        for (String[] e : headers) {
            h.add(e.clone());
        }
        SipMessage c = new SipMessage(request, method, requestUriText, status, reason, h, body);
        c.requestUri = requestUri;
        c.from = from;
        c.to = to;
        c.cseqNumber = cseqNumber;
        c.cseqMethod = cseqMethod;
        return c;
    }

    public void prepend(String name, String value) {
        headers.add(0, new String[] {name, value});
        invalidate(name);
    }

    /** Puts the header before the first one of {@code before}'s name, or on top. */
    public void insertBefore(String before, String name, String value) {
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i)[0].equals(before)) {
                headers.add(i, new String[] {name, value});
                invalidate(name);
                return;
            }
        }
        prepend(name, value);
    }

    public void set(String name, String value) {
        for (String[] h : headers) {
            if (h[0].equals(name)) {
                h[1] = value;
                invalidate(name);
                return;
            }
        }
        headers.add(new String[] {name, value});
        invalidate(name);
    }

    public void removeAll(String name) {
        headers.removeIf(h -> h[0].equals(name));
        invalidate(name);
    }

    /** Removes the first element of a header; false when there is none. */
    public boolean removeFirst(String name) {
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i)[0].equals(name)) {
                headers.remove(i);
                invalidate(name);
                return true;
            }
        }
        return false;
    }

    /** Replaces the top Via (the edge stamps received and rport on what it got). */
    public void setTopVia(ViaHop via) {
        for (String[] h : headers) {
            if (h[0].equals("Via")) {
                h[1] = via.toString();
                invalidate("Via");
                return;
            }
        }
    }

    /** Replaces every Via with these (a backend's answer goes up with the caller's own Via list). */
    public void setVias(List<ViaHop> hops) {
        int at = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i)[0].equals("Via")) {
                at = i;
                break;
            }
        }
        headers.removeIf(h -> h[0].equals("Via"));
        int pos = at < 0 ? 0 : Math.min(at, headers.size());
        for (ViaHop v : hops) {
            headers.add(pos++, new String[] {"Via", v.toString()});
        }
        vias = new ArrayList<>(hops);
    }

    private void invalidate(String name) {
        switch (name) {
            case "Via" -> vias = null;
            case "From" -> from = null;
            case "To" -> to = null;
            default -> {
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    public byte[] encode() {
        StringBuilder sb = new StringBuilder(256 + headers.size() * 48);
        if (request) {
            sb.append(method).append(' ').append(requestUriText).append(" SIP/2.0\r\n");
        } else {
            sb.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        }
        for (String[] h : headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body.length == 0) {
            return head;
        }
        byte[] out = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /**
     * An answer to this request (RFC 3261 §8.2.6): its Via list, From, To (tagged when {@code toTag} is
     * given and it has none), Call-ID and CSeq, no body.
     */
    public SipMessage response(int code, String phrase, String toTag) {
        List<String[]> h = new ArrayList<>(8);
        for (String[] e : headers) {
            if (e[0].equals("Via")) {
                h.add(new String[] {"Via", e[1]});
            }
        }
        h.add(new String[] {"From", value("From")});
        String toValue = value("To");
        h.add(new String[] {"To", toTag != null && to().tag() == null ? to().withTag(toTag) : toValue});
        h.add(new String[] {"Call-ID", callId()});
        h.add(new String[] {"CSeq", value("CSeq")});
        SipMessage r = new SipMessage(false, null, null, code, phrase, h, new byte[0]);
        r.cseqNumber = cseqNumber;
        r.cseqMethod = cseqMethod;
        return r;
    }

    /** Adds a header at the end, before Content-Length is written. */
    public void append(String name, String value) {
        headers.add(new String[] {name, value});
        invalidate(name);
    }

    /** Ends the header list with Content-Length for a message without body. */
    public SipMessage withEmptyBody() {
        removeAll("Content-Length");
        headers.add(new String[] {"Content-Length", "0"});
        return this;
    }

    /**
     * The CANCEL for this (relayed) INVITE, RFC 3261 §9.1: same Request-URI, top Via, Route set, Call-ID,
     * From, To and CSeq number.
     */
    public SipMessage cancel() {
        return sameHop("CANCEL", value("To"));
    }

    /** The ACK for a non-2xx answer to this (relayed) INVITE, RFC 3261 §17.1.1.3: To from the answer. */
    public SipMessage ackFor(SipMessage answer) {
        return sameHop("ACK", answer.value("To"));
    }

    private SipMessage sameHop(String m, String toValue) {
        List<String[]> h = new ArrayList<>(10);
        h.add(new String[] {"Via", topVia().toString()});
        for (String[] e : headers) {
            if (e[0].equals("Route")) {
                h.add(new String[] {"Route", e[1]});
            }
        }
        h.add(new String[] {"Max-Forwards", "70"});
        h.add(new String[] {"From", value("From")});
        h.add(new String[] {"To", toValue});
        h.add(new String[] {"Call-ID", callId()});
        h.add(new String[] {"CSeq", cseqNumber + " " + m});
        h.add(new String[] {"Content-Length", "0"});
        SipMessage c = new SipMessage(true, m, requestUriText, 0, null, h, new byte[0]);
        c.requestUri = requestUri;
        c.cseqNumber = cseqNumber;
        c.cseqMethod = m;
        return c;
    }

    /** A new request the edge originates (health probes). */
    public static SipMessage request(String method, String requestUri, List<String[]> headers) {
        List<String[]> h = new ArrayList<>(headers.size() + 1);
        for (String[] e : headers) {
            h.add(e.clone());
        }
        SipMessage m = new SipMessage(true, method, requestUri, 0, null, h, new byte[0]);
        m.withEmptyBody();
        m.check(true);
        return m;
    }

    @Override
    public String toString() {
        return new String(encode(), StandardCharsets.ISO_8859_1);
    }

    /** The compact and long header names, and which headers hold comma-separated element lists. */
    static final class HeaderNames {
        private HeaderNames() {
        }

        static String canonical(String raw) {
            if (raw.length() == 1) {
                return switch (Character.toLowerCase(raw.charAt(0))) {
                    case 'v' -> "Via";
                    case 'f' -> "From";
                    case 't' -> "To";
                    case 'i' -> "Call-ID";
                    case 'm' -> "Contact";
                    case 'l' -> "Content-Length";
                    case 'c' -> "Content-Type";
                    case 'e' -> "Content-Encoding";
                    case 'k' -> "Supported";
                    case 's' -> "Subject";
                    case 'o' -> "Event";
                    case 'r' -> "Refer-To";
                    case 'b' -> "Referred-By";
                    case 'u' -> "Allow-Events";
                    case 'x' -> "Session-Expires";
                    default -> raw;
                };
            }
            return switch (raw.toLowerCase(Locale.ROOT)) {
                case "via" -> "Via";
                case "from" -> "From";
                case "to" -> "To";
                case "call-id" -> "Call-ID";
                case "cseq" -> "CSeq";
                case "contact" -> "Contact";
                case "content-length" -> "Content-Length";
                case "content-type" -> "Content-Type";
                case "max-forwards" -> "Max-Forwards";
                case "route" -> "Route";
                case "record-route" -> "Record-Route";
                case "user-agent" -> "User-Agent";
                case "expires" -> "Expires";
                case "path" -> "Path";
                default -> raw;
            };
        }

        static boolean isList(String name) {
            return switch (name) {
                case "Via", "Route", "Record-Route", "Path" -> true;
                default -> false;
            };
        }
    }
}
