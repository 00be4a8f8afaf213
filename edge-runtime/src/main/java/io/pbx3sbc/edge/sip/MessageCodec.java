package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.sip.msg.MalformedMessageException;
import io.pbx3sbc.edge.sip.msg.SipMessage;

import java.util.function.Consumer;

/**
 * Bytes to a {@link SipMessage}, strict and silent: a parse error or a failed sanity check turns the
 * message into {@code null}, counted through {@code onMalformed} and never answered. An edge facing the
 * internet says nothing to garbage.
 */
public final class MessageCodec {
    private static final byte[] VERSION = {'S', 'I', 'P', '/', '2', '.', '0'};

    private final Consumer<String> onMalformed;

    /** @param onMalformed told why each dropped message was dropped (count it; log it rate-limited) */
    public MessageCodec(Consumer<String> onMalformed) {
        this.onMalformed = onMalformed;
    }

    /**
     * @param framed true when a stream transport already framed the body by Content-Length
     * @return the message, or null when it is a keepalive or malformed
     */
    public SipMessage parse(byte[] bytes, boolean framed) {
        if (isKeepalive(bytes)) {
            return null;
        }
        String raw = rawProblem(bytes);
        if (raw != null) {
            onMalformed.accept(raw);
            return null;
        }
        try {
            return SipMessage.parse(bytes, framed);
        } catch (MalformedMessageException | IllegalArgumentException | IndexOutOfBoundsException e) {
            onMalformed.accept(e.getMessage() == null ? e.toString() : e.getMessage());
            return null;
        }
    }

    /**
     * What no parser should see: control characters in the headers (NUL bytes would reach a backend inside
     * a Call-ID), and a start line whose version is not exactly SIP/2.0.
     */
    static String rawProblem(byte[] b) {
        int eol = -1;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c == '\n') {
                if (eol < 0) {
                    eol = i > 0 && b[i - 1] == '\r' ? i - 1 : i;
                }
                if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    break; // the body may hold anything
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
        return response || request ? null : "unsupported SIP version";
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
        return 0;
    }
}
