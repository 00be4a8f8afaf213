package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.SipStackImpl;
import io.pbx3sbc.edge.HostPort;

import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import java.net.InetAddress;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One JAIN-SIP stack listening on UDP and TCP on one address, with every stack property in one place.
 * The provider it exposes is the edge's only way to send and receive SIP.
 */
public final class SipEndpoint implements AutoCloseable {
    private static final AtomicInteger STACKS = new AtomicInteger();

    private final SipStack stack;
    private final SipProvider provider;
    private final SipFactories factories;
    private final HostPort viaAddress;
    private final StrayResponseValve strays;

    /** The three JAIN-SIP factories; all thread-safe, created once. */
    public record SipFactories(MessageFactory messages, HeaderFactory headers, AddressFactory addresses) {
    }

    private SipEndpoint(SipStack stack, SipProvider provider, SipFactories factories, HostPort viaAddress,
                        StrayResponseValve strays) {
        this.strays = strays;
        this.stack = stack;
        this.provider = provider;
        this.factories = factories;
        this.viaAddress = viaAddress;
    }

    /**
     * @param threads     worker threads of the stack (4 measured best on 2 cores)
     * @param onMalformed told about each message dropped by the parser or the sanity checks
     */
    public static SipEndpoint start(String name, HostPort listen, int threads, Consumer<String> onMalformed) throws Exception {
        SipFactory sipFactory = SipFactory.getInstance();
        sipFactory.setPathName("gov.nist");
        SipStack stack = sipFactory.createSipStack(properties(name + "-" + STACKS.incrementAndGet(), threads));
        ((SipStackImpl) stack).setMessageParserFactory(new SanitizingParserFactory(onMalformed));
        try {
            ListeningPoint udp = stack.createListeningPoint(listen.host(), listen.port(), ListeningPoint.UDP);
            ListeningPoint tcp = stack.createListeningPoint(listen.host(), listen.port(), ListeningPoint.TCP);
            SipProvider provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            stack.start();
            SipFactories factories = new SipFactories(sipFactory.createMessageFactory(), sipFactory.createHeaderFactory(),
                    sipFactory.createAddressFactory());
            StrayResponseValve valve = ((SipStackImpl) stack).sipMessageValves.stream()
                    .filter(StrayResponseValve.class::isInstance).map(StrayResponseValve.class::cast).findFirst()
                    .orElseThrow(() -> new IllegalStateException("JAIN-SIP did not install the stray response valve"));
            return new SipEndpoint(stack, provider, factories, new HostPort(concrete(listen.host()), listen.port()), valve);
        } catch (Exception e) {
            stack.stop();
            throw e;
        }
    }

    static Properties properties(String stackName, int threads) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        // A proxy, not a user agent: the stack must not build dialogs or answer on its own.
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.ROUTER_PATH", NextHopRouter.class.getName());
        p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", StrayResponseValve.class.getName());
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", BoundedUdpProcessorFactory.class.getName());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", String.valueOf(threads));
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        // The largest message taken over TCP; larger ones are refused.
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "200000");
        p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "200000");
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", String.valueOf(4 << 20));
        p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", String.valueOf(4 << 20));
        p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // The stack logs through log4j-over-slf4j under this name; logback decides the level.
        p.setProperty("gov.nist.javax.sip.LOG4J_LOGGER_NAME", "gov.nist.javax.sip");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "ERROR");
        return p;
    }

    private static String concrete(String host) throws java.net.UnknownHostException {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return InetAddress.getLocalHost().getHostAddress();
        }
        return host;
    }

    public SipProvider provider() {
        return provider;
    }

    public SipFactories factories() {
        return factories;
    }

    /** Where responses that match no client transaction go (instead of the stack's linear search). */
    public void onStrayResponse(Consumer<javax.sip.message.Response> handler) {
        strays.onStray(handler);
    }

    /** Transactions in the stack's tables: {server, client}. */
    public int[] transactionCounts() {
        SipStackImpl impl = (SipStackImpl) stack;
        return new int[] {impl.getServerTransactionTableSize(), impl.getClientTransactionTableSize()};
    }

    /** The address backends send responses to (our Via sent-by). */
    public HostPort viaAddress() {
        return viaAddress;
    }

    @Override
    public void close() {
        stack.stop();
    }
}
