package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.function.Consumer;

/**
 * The stack's message parser, made strict and silent. JAIN-SIP on its own answers some broken
 * requests with an automatic 400 or 505 and tolerates bad non-critical headers; an edge facing the
 * internet must say nothing to garbage. Any parse error or failed {@link MessageSanity} check turns the
 * message into {@code null}, which the stack's transports drop without a word, and is counted.
 */
public final class SanitizingParserFactory implements MessageParserFactory {
    private static final ParseExceptionListener FAIL_ON_ANY_BAD_HEADER = (ex, msg, headerClass, header, message) -> {
        throw ex;
    };

    private final Consumer<String> onMalformed;

    /** @param onMalformed told why each dropped message was dropped (count it; log it rate-limited) */
    public SanitizingParserFactory(Consumer<String> onMalformed) {
        this.onMalformed = onMalformed;
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        StringMsgParser delegate = new StringMsgParser();
        return (bytes, readBody, strict, listener) -> parse(delegate, bytes, readBody);
    }

    private SIPMessage parse(StringMsgParser delegate, byte[] bytes, boolean readBody) {
        if (isKeepalive(bytes)) {
            return null;
        }
        SIPMessage m;
        try {
            m = delegate.parseSIPMessage(bytes, readBody, true, FAIL_ON_ANY_BAD_HEADER);
        } catch (ParseException | RuntimeException e) {
            onMalformed.accept("unparseable: " + e.getMessage());
            return null;
        }
        if (m == null) {
            return null;
        }
        String problem = MessageSanity.problem(m, readBody ? bodyLength(bytes) : -1);
        if (problem != null) {
            onMalformed.accept(problem);
            return null;
        }
        return m;
    }

    /** CRLF keepalives (RFC 5626) are not messages and not malformed either. */
    private static boolean isKeepalive(byte[] bytes) {
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
