package dev.qpair.perf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The consumer's side of a peer's one-way stream row: it expects the sequence numbers 0, 1, 2, ...
 * in order, counts those that are not, and publishes how many it took, so that the producer can
 * check at the end that nothing was lost, duplicated or reordered.
 */
final class StreamTally {

    private static final VarHandle TAKEN;
    private static final VarHandle WRONG;
    private static final long SETTLE_NS = 2_000_000_000L;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAKEN = l.findVarHandle(StreamTally.class, "taken", long.class);
            WRONG = l.findVarHandle(StreamTally.class, "wrong", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private long taken;
    @SuppressWarnings("unused")
    private long wrong;
    private long next;
    private long wrongLocal;

    /** The consumer took {@code sequence}; called on the consumer thread only. */
    void take(long sequence) {
        if (sequence != next) {
            WRONG.setRelease(this, ++wrongLocal); // smp_store_release(): the tally before the count that covers it
        }
        next++;
        TAKEN.setRelease(this, next); // smp_store_release(): published once per message, read by the producer at the end
    }

    /**
     * Waits (up to 2 s, or until the consumer died) until {@code produced} messages were taken.
     *
     * @return messages out of order, plus the difference between produced and taken
     */
    long errors(long produced, Peer consumer) {
        long deadline = System.nanoTime() + SETTLE_NS;
        long got;
        // smp_load_acquire(): the consumer's count, then the tally it published before it
        while ((got = (long) TAKEN.getAcquire(this)) < produced && System.nanoTime() - deadline < 0
                && (consumer == null || consumer.alive())) {
            Thread.onSpinWait();
        }
        return (long) WRONG.getAcquire(this) + Math.abs(produced - got); // smp_load_acquire(): after the count
    }
}
