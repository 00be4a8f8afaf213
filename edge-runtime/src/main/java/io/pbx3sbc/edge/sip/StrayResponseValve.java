package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import javax.sip.SipStack;
import javax.sip.message.Response;
import java.util.function.Consumer;

/**
 * Takes responses that belong to no client transaction (2xx retransmissions after the INVITE
 * transaction ended, late answers) before JAIN-SIP looks for them: the stack would otherwise scan
 * every open client transaction for each one, which under load costs more than the rest of the relay.
 * They go to the proxy, which forwards 2xx statelessly and drops the rest.
 */
public final class StrayResponseValve implements SIPMessageValve {
    private SIPTransactionStack stack;
    private volatile Consumer<Response> strays = r -> { };

    @Override
    public void init(SipStack sipStack) {
        this.stack = (SIPTransactionStack) sipStack;
    }

    void onStray(Consumer<Response> handler) {
        this.strays = handler;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        return true;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        String id = ((SIPResponse) response).getTransactionId();
        if (id != null && stack.findTransaction(id, false) != null) {
            return true;
        }
        strays.accept(response);
        return false;
    }

    @Override
    public void destroy() {
    }
}
