package io.pbx3sbc.edge.sip.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A hashed timer wheel for the SIP timers (retransmissions, fr/fr_inv, wait): scheduling and cancelling
 * are O(1) and allocate one small object, where a {@code ScheduledThreadPoolExecutor} pays a heap
 * operation per timer and keeps a cancelled task's whole call alive until it is purged.
 *
 * <p>Any thread may {@link #schedule}; one thread {@link #advanceTo advances} the wheel and runs what
 * expired, in deadline order within a tick. Tests advance it by hand. A cancelled timeout drops its
 * task at once, so a 30 s fr_inv timer that was cancelled by an answer holds on to nothing.
 */
public final class TimerWheel {
    private final long tickMillis;
    private final List<Timeout>[] slots;
    private final ConcurrentLinkedQueue<Timeout> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final LongSupplier clock;
    private long tick;

    /** One scheduled task; {@link #cancel()} is safe from any thread, any number of times. */
    public static final class Timeout {
        final long deadline;
        volatile Runnable task;
        long dueTick;

        Timeout(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        public void cancel() {
            task = null;
        }

        public boolean cancelled() {
            return task == null;
        }
    }

    @SuppressWarnings("unchecked")
    public TimerWheel(long tickMillis, int slots, LongSupplier clockMillis) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two");
        }
        this.tickMillis = tickMillis;
        this.slots = new List[slots];
        for (int i = 0; i < slots; i++) {
            this.slots[i] = new ArrayList<>();
        }
        this.clock = clockMillis;
        this.tick = clockMillis.getAsLong() / tickMillis;
    }

    public long now() {
        return clock.getAsLong();
    }

    public Timeout schedule(long delayMillis, Runnable task) {
        Timeout t = new Timeout(clock.getAsLong() + Math.max(0, delayMillis), task);
        incoming.add(t);
        pending.incrementAndGet();
        return t;
    }

    /** Timers scheduled and neither fired nor swept yet (cancelled ones count until their slot passes). */
    public int pending() {
        return pending.get();
    }

    /**
     * Runs every timeout due at or before {@code nowMillis}. A task that throws does not stop the others.
     *
     * @return the number of tasks run
     */
    public int advanceTo(long nowMillis) {
        int ran = 0;
        long target = nowMillis / tickMillis;
        while (true) {
            enqueueIncoming();
            if (tick > target) {
                return ran;
            }
            List<Timeout> slot = slots[(int) (tick & (slots.length - 1))];
            List<Timeout> due = null;
            for (int i = slot.size() - 1; i >= 0; i--) {
                Timeout t = slot.get(i);
                if (t.task == null || t.dueTick <= tick) {
                    slot.set(i, slot.get(slot.size() - 1));
                    slot.remove(slot.size() - 1);
                    pending.decrementAndGet();
                    if (t.task != null) {
                        if (due == null) {
                            due = new ArrayList<>();
                        }
                        due.add(t);
                    }
                }
            }
            if (due != null) {
                due.sort((a, b) -> Long.compare(a.deadline, b.deadline));
                for (Timeout t : due) {
                    Runnable r = t.task;
                    t.task = null;
                    if (r != null) {
                        try {
                            r.run();
                        } catch (RuntimeException | LinkageError e) {
                            // one failing timer must not stop the wheel; the owner counts its own errors
                        }
                        ran++;
                    }
                }
            }
            if (tick == target) {
                // tasks run in this tick may have scheduled timers due now: take them before returning
                enqueueIncoming();
                if (!hasDue(slot)) {
                    tick++;
                    return ran;
                }
                continue;
            }
            tick++;
        }
    }

    private boolean hasDue(List<Timeout> slot) {
        for (Timeout t : slot) {
            if (t.task != null && t.dueTick <= tick) {
                return true;
            }
        }
        return false;
    }

    private void enqueueIncoming() {
        Timeout t;
        while ((t = incoming.poll()) != null) {
            // a deadline that rounds down into the current tick fires in it; never in a tick already passed
            t.dueTick = Math.max((t.deadline + tickMillis - 1) / tickMillis, tick);
            slots[(int) (t.dueTick & (slots.length - 1))].add(t);
        }
    }
}
