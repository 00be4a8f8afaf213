package io.pbx3sbc.edge;

/** A daemon thread that runs a task every period until interrupted: how the edge re-reads mounted files. */
public final class Periodic {
    private Periodic() {
    }

    /** Starts the thread; interrupt it to stop. */
    public static Thread start(String name, long periodMillis, Runnable task) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                task.run();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
