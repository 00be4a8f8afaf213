package io.pbx3sbc.edge.sip.txn;

import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.RequestView;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.msg.ViaHop;
import io.pbx3sbc.edge.sip.transport.Peer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One proxied request, Kamailio's {@code tm} cell: the server side towards the caller and, one at a
 * time, client legs towards backends. Guarded by itself. What only an open relay needs (the request,
 * the caller's Via list, the routing facts) is released when the final answer goes upstream: a
 * finished relay that lingers to absorb retransmissions keeps a key, a few flags and at most the
 * bytes of its last answer.
 */
public final class Relay {
    public enum State {
        /** Waiting for a backend's final answer. */
        PROCEEDING,
        /** INVITE answered with a non-2xx over UDP: retransmitting that answer until the caller's ACK. */
        COMPLETED,
        /** Answered; kept only to absorb retransmissions until the wait timer removes it. */
        LINGERING,
        /** Removed from the tables. */
        GONE
    }

    public final String key;
    public final Peer caller;
    /** Where responses bound for the caller go next, as the branch MAC binds it ({@code ip:port}). */
    public final String callerBinding;
    public final boolean invite;
    public final String method;
    public final long createdMillis;

    public State state = State.PROCEEDING;
    public SipMessage original;
    public List<ViaHop> callerVias;
    public RequestView view;
    public RoutingTable table;
    /** Tenant domain for initial requests; null for in-dialog ones (no failover along a Route set). */
    public String tenant;
    public final Set<String> tried = new HashSet<>(4);
    /** Resolved targets ({@code ip:port}) already tried: a destination named by DNS may have several. */
    public final Set<String> triedTargets = new HashSet<>(4);
    public final List<Leg> legs = new ArrayList<>(2);
    public Leg current;
    public boolean cancelled;
    public boolean cancelSent;
    public int finalStatus;
    /** The last answer sent to the caller, for its retransmitted requests (null when silence is right). */
    public byte[] lastUpstream;
    public TimerWheel.Timeout upstreamTimer;
    public long upstreamInterval;

    public Relay(String key, Peer caller, SipMessage original, String method) {
        this.key = key;
        this.caller = caller;
        this.callerBinding = caller.hostAddress() + ":" + caller.address().getPort();
        this.original = original;
        this.method = method;
        this.invite = method.equals("INVITE");
        this.createdMillis = System.currentTimeMillis();
    }

    public boolean finished() {
        return state != State.PROCEEDING;
    }

    public boolean canFailOver() {
        return tenant != null && !cancelled;
    }

    /** One attempt towards one next hop: its own branch, bytes for retransmission, and its timers. */
    public static final class Leg {
        public final Relay relay;
        public final String branch;
        public final Peer peer;
        public final Backend backend;
        /** Sent only over a flow the peer opened (a registered phone, a caller over TCP/TLS), never by dialling it. */
        public boolean flowOnly;
        public SipMessage request;
        public byte[] bytes;
        public byte[] ackBytes;
        public boolean provisional;
        public long retransmitInterval;
        public TimerWheel.Timeout retransmit;
        public TimerWheel.Timeout fr;

        public Leg(Relay relay, String branch, Peer peer, Backend backend, SipMessage request, byte[] bytes) {
            this.relay = relay;
            this.branch = branch;
            this.peer = peer;
            this.backend = backend;
            this.request = request;
            this.bytes = bytes;
        }

        public void stopTimers() {
            if (retransmit != null) {
                retransmit.cancel();
                retransmit = null;
            }
            if (fr != null) {
                fr.cancel();
                fr = null;
            }
        }

        void release() {
            stopTimers();
            request = null;
            bytes = null;
        }
    }

    /** Drops what only an open relay needs. */
    public void release() {
        original = null;
        callerVias = null;
        view = null;
        table = null;
        for (Leg l : legs) {
            l.release();
        }
    }
}
