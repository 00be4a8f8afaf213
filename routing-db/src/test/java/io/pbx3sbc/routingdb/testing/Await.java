package io.pbx3sbc.routingdb.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until something real (a status, an edge, a file) reaches the expected state, or fails saying what it saw. */
public final class Await {
    private Await() {
    }

    /** @return the first value that satisfies {@code done}; a value that throws counts as "not yet" */
    public static <T> T until(String what, Duration timeout, Supplier<T> value, Predicate<T> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        T last = null;
        RuntimeException lastError = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = value.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException notYet) {
                lastError = notYet;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last value: " + last
                + (lastError == null ? "" : "; last error: " + lastError));
    }
}
