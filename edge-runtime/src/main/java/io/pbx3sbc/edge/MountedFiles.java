package io.pbx3sbc.edge;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * How the edge follows files that a Kubernetes volume changes in place (a Secret's certificate, the
 * dialog keys): read them again on a period, on a daemon thread, and tell a change by a fingerprint.
 */
public final class MountedFiles {
    private MountedFiles() {
    }

    /** Starts a daemon thread that runs {@code task} every period; interrupt it to stop. */
    public static Thread watch(String name, long periodMillis, Runnable task) {
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

    /** SHA-256 over the contents, each followed by a zero byte so that moving bytes between files shows. */
    public static byte[] fingerprint(List<byte[]> contents) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] c : contents) {
                d.update(c);
                d.update((byte) 0);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
