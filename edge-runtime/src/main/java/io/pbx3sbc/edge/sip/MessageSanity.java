package io.pbx3sbc.edge.sip;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * RFC 3261 sanity of a parsed message, the checks the seed asks of Kamailio's {@code sanity_check("1511")}
 * (SIP version, Request-URI scheme, mandatory headers, CSeq method and value, Content-Length) plus a few
 * an edge facing the internet needs. A message that fails is dropped without an answer.
 */
public final class MessageSanity {
    private MessageSanity() {
    }

    /**
     * @param bodyLength bytes of body received after the headers, or -1 when the transport framed the
     *                   body by Content-Length itself (stream transports)
     * @return null when the message is sane, otherwise why not (for logs and counters)
     */
    public static String problem(Message m, int bodyLength) {
        if (m.getHeader(ViaHeader.NAME) == null) {
            return "missing Via";
        }
        if (!(m.getHeader(FromHeader.NAME) instanceof FromHeader from) || from.getAddress() == null) {
            return "missing From";
        }
        if (!(m.getHeader(ToHeader.NAME) instanceof ToHeader to) || to.getAddress() == null) {
            return "missing To";
        }
        if (!(m.getHeader(CallIdHeader.NAME) instanceof CallIdHeader callId) || callId.getCallId() == null
                || callId.getCallId().isBlank()) {
            return "missing Call-ID";
        }
        if (!(m.getHeader(CSeqHeader.NAME) instanceof CSeqHeader cseq)) {
            return "missing CSeq";
        }
        if (cseq.getSeqNumber() < 0 || cseq.getSeqNumber() > 0x7fffffffL) {
            return "CSeq number out of range";
        }
        for (var it = m.getHeaders(ViaHeader.NAME); it.hasNext(); ) {
            gov.nist.javax.sip.header.Via via = (gov.nist.javax.sip.header.Via) it.next();
            var sent = via.getSentProtocol();
            if (sent == null || !"2.0".equals(sent.getProtocolVersion()) || !"SIP".equalsIgnoreCase(sent.getProtocolName())) {
                return "bad Via protocol";
            }
        }
        if (m instanceof Request r) {
            if (!"SIP/2.0".equals(r.getSIPVersion())) {
                return "unsupported SIP version";
            }
            URI ruri = r.getRequestURI();
            if (ruri == null || !(ruri.isSipURI() || "tel".equalsIgnoreCase(ruri.getScheme()))) {
                return "Request-URI scheme is not sip, sips or tel";
            }
            if (ruri instanceof SipURI sip && (sip.getHost() == null || sip.getHost().isEmpty())) {
                return "Request-URI without host";
            }
            if (!cseq.getMethod().equals(r.getMethod())) {
                return "CSeq method differs from the request method";
            }
        } else if (m instanceof Response r) {
            if (!"SIP/2.0".equals(r.getSIPVersion())) {
                return "unsupported SIP version";
            }
        }
        if (bodyLength >= 0) {
            ContentLengthHeader cl = m.getContentLength();
            int declared = cl == null ? 0 : cl.getContentLength();
            if (cl == null && bodyLength > 0) {
                return "body without Content-Length";
            }
            if (declared > bodyLength) {
                return "Content-Length " + declared + " larger than the body (" + bodyLength + " bytes)";
            }
        }
        return null;
    }
}
