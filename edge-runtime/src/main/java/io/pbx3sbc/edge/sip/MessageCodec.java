package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.function.Consumer;

/**
 * JAIN-SIP's message parser, made strict and silent: any parse error, any bad header, or a failed
 * {@link MessageSanity} check turns the message into {@code null}, counted through {@code onMalformed}
 * and never answered. An edge facing the internet says nothing to garbage.
 */
public final class MessageCodec {
    private static final ParseExceptionListener FAIL_ON_ANY_BAD_HEADER = (ex, msg, headerClass, header, message) -> {
        throw ex;
    };
    private static final ThreadLocal<StringMsgParser> PARSERS = ThreadLocal.withInitial(StringMsgParser::new);

    private final Consumer<String> onMalformed;

    /** @param onMalformed told why each dropped message was dropped (count it; log it rate-limited) */
    public MessageCodec(Consumer<String> onMalformed) {
        this.onMalformed = onMalformed;
    }

    /**
     * @param framed true when a stream transport already framed the body by Content-Length
     * @return the message, or null when it is a keepalive or malformed
     */
    public SIPMessage parse(byte[] bytes, boolean framed) {
        if (isKeepalive(bytes)) {
            return null;
        }
        String raw = rawProblem(bytes);
        if (raw != null) {
            onMalformed.accept(raw);
            return null;
        }
        SIPMessage m;
        try {
            m = PARSERS.get().parseSIPMessage(bytes, true, true, FAIL_ON_ANY_BAD_HEADER);
        } catch (ParseException | RuntimeException e) {
            onMalformed.accept("unparseable: " + e.getMessage());
            return null;
        }
        if (m == null) {
            return null;
        }
        String problem = MessageSanity.problem(m, framed ? -1 : bodyLength(bytes));
        if (problem != null) {
            onMalformed.accept(problem);
            return null;
        }
        return m;
    }

    private static final byte[] VERSION = {'S', 'I', 'P', '/', '2', '.', '0'};

    /**
     * What the parser forgives but the edge must not: a start line whose version is not exactly SIP/2.0
     * (the parser reports any version as 2.0), and control characters in the headers (NUL bytes would
     * reach the backend inside a Call-ID).
     */
    static String rawProblem(byte[] b) {
        int eol = -1;
        int headersEnd = b.length;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c == '\n') {
                if (eol < 0) {
                    eol = i > 0 && b[i - 1] == '\r' ? i - 1 : i;
                }
                if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    headersEnd = i;
                    break;
                }
            } else if ((c >= 0 && c < 0x20 && c != '\r' && c != '\t') || c == 0x7f) {
                return "control character in the headers";
            }
        }
        if (eol < 0) {
            return "no line end";
        }
        boolean response = startsWith(b, 0, VERSION) && eol > VERSION.length && b[VERSION.length] == ' ';
        boolean request = eol > VERSION.length + 1 && b[eol - VERSION.length - 1] == ' ' && startsWith(b, eol - VERSION.length, VERSION);
        return response || request || headersEnd < 0 ? null : "unsupported SIP version";
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** CRLF keepalives (RFC 5626) are not messages and not malformed either. */
    static boolean isKeepalive(byte[] bytes) {
        for (byte b : bytes) {
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Bytes after the blank line that ends the headers, 0 when there is none. */
    static int bodyLength(byte[] bytes) {
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return bytes.length - (i + 4);
            }
        }
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        int lf = s.indexOf("\n\n");
        return lf < 0 ? 0 : bytes.length - (lf + 2);
    }
}
