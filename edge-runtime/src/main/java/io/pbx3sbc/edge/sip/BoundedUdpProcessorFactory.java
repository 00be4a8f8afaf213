package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * JAIN-SIP's UDP transport queues every datagram it reads in an unbounded queue for its worker
 * threads. Under a flood (door-knockers, or more calls than the edge can take) that queue grows until
 * the heap is gone and the reader thread dies, leaving a process that looks alive and routes nothing.
 * This factory gives the UDP transport a bounded queue instead: when it is full, new datagrams are
 * dropped at once (load shedding; UDP senders retransmit) and counted. It also reads each datagram into
 * one reused buffer and queues an exact-size copy, where JAIN-SIP allocates and keeps a buffer of the
 * maximum message size per datagram (most of the edge's garbage). Other transports are JAIN-SIP's own.
 */
public final class BoundedUdpProcessorFactory implements MessageProcessorFactory {
    /** About a second of work at this edge's capacity; queued datagrams are exact-size copies. */
    public static final int QUEUE_CAPACITY = 4096;
    private static final LongAdder SHED = new LongAdder();
    private final OIOMessageProcessorFactory others = new OIOMessageProcessorFactory();

    /** Datagrams dropped because the queue was full, since the process started. */
    public static long shedCount() {
        return SHED.sum();
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if (transport.equalsIgnoreCase("udp")) {
            markUdpInUse(stack);
            return new BoundedUdpMessageProcessor(address, stack, port);
        }
        return others.createMessageProcessor(stack, address, port, transport);
    }

    /**
     * JAIN-SIP's own factory sets this package-private flag when it makes a UDP processor; without it
     * every UDP message is sent from a fresh socket (a random source port) instead of the listening one,
     * and peers that answer to the source address never reach us.
     */
    private static void markUdpInUse(SIPTransactionStack stack) throws IOException {
        try {
            java.lang.reflect.Field flag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            flag.setAccessible(true);
            flag.setBoolean(stack, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this JAIN-SIP version has no udpFlag; the bounded UDP queue needs updating", e);
        }
    }

    private static final class BoundedUdpMessageProcessor extends UDPMessageProcessor {
        @SuppressWarnings({"unchecked", "rawtypes"})
        BoundedUdpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
            super(address, stack, port);
            this.messageQueue = (java.util.concurrent.BlockingQueue) new SheddingQueue();
        }

        /** JAIN-SIP's reader loop, with one receive buffer and exact-size copies in the queue. */
        @Override
        public void run() {
            SipStackImpl stack = (SipStackImpl) sipStack;
            int workers = Integer.parseInt(stack.getConfigurationProperties()
                    .getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4"));
            java.util.LinkedList<UDPMessageChannel> channels = new java.util.LinkedList<>();
            for (int i = 0; i < workers; i++) {
                channels.add(new Worker(sipStack, this, stack.getStackName() + "-UDPMessageChannelThread-" + i));
            }
            messageChannels = channels; // stop() closes them

            byte[] buffer = new byte[65_535];
            while (isRunning) {
                try {
                    DatagramPacket received = new DatagramPacket(buffer, buffer.length);
                    sock.receive(received);
                    byte[] exact = Arrays.copyOf(buffer, received.getLength());
                    messageQueue.offer(new DatagramQueuedMessageDispatch(
                            new DatagramPacket(exact, exact.length, received.getAddress(), received.getPort()),
                            System.currentTimeMillis()));
                } catch (IOException e) {
                    if (!isRunning) {
                        return; // socket closed by stop()
                    }
                    // an ICMP error surfacing on the socket, for example: keep reading
                }
            }
        }
    }

    /** A JAIN-SIP UDP worker thread (its constructor starts it); they take from the bounded queue. */
    private static final class Worker extends UDPMessageChannel {
        Worker(SIPTransactionStack stack, UDPMessageProcessor processor, String name) {
            super(stack, processor, name);
        }
    }

    /** offer() is all the reader thread uses; a full queue refuses and counts. */
    private static final class SheddingQueue extends LinkedBlockingQueue<Object> {
        SheddingQueue() {
            super(QUEUE_CAPACITY);
        }

        @Override
        public boolean offer(Object o) {
            boolean queued = super.offer(o);
            if (!queued) {
                SHED.increment();
            }
            return queued;
        }
    }
}
