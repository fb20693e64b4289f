package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The device side of a {@link CqRing}: claims the next CQE slot, lets the caller write the CQE
 * body with plain stores (through a {@link Cqe} flyweight), then hands it to the host by writing
 * its owner bit with release. One thread at a time (the device engine serializes a CQ).
 *
 * <p><b>Overflow.</b> The producer keeps a cached copy of the host's consumer index and reads the
 * published one (with acquire) at two points only: after the publish that makes the cached copy
 * say half the ring is used, and in a claim the cached copy says is full. The first read is the
 * usual one: it comes after the hand-off, so its cache miss (the host writes that line at every
 * poll) stays off the latency of the CQE that triggered it, where a read at the claim would add a
 * line transfer to one CQE in every {@code capacity}. If the ring is still full at a claim's read,
 * or the host published an index that is not within {@code capacity} behind the producer
 * (garbage from an untrusted host), {@link #claim()} returns {@link #CQ_FULL}: the CQ overflowed
 * and the device reports it as an asynchronous error. It never overwrites an unconsumed CQE.
 *
 * <p><b>Several producers.</b> A CQ that several engine threads complete into (QPs whose engines
 * run in different posting threads) serializes them with {@link #lock()} / {@link #unlock()}, a
 * spin lock whose word sits on the producer's own line of the control block: taking it touches no
 * line the host writes.
 *
 * <p>Method names carry their ordering: {@code ...Release} hands over, {@code ...Acquire} takes
 * over; the rest are plain accesses to this side's own line. Nothing allocates.
 */
public final class CqProducer {

    /** {@link #claim()}'s answer when the CQ is full. */
    public static final long CQ_FULL = -1;

    private static final VarHandle LOCK = JAVA_INT.varHandle();

    private final MemorySegment entries;
    private final MemorySegment control;
    private final int capacity;
    private final int log2Capacity;
    private final int cqeShift;

    CqProducer(CqRing ring) {
        this.entries = ring.entries();
        this.control = ring.control();
        this.capacity = ring.capacity();
        this.log2Capacity = ring.log2Capacity();
        this.cqeShift = Integer.numberOfTrailingZeros(ring.cqeSize());
    }

    /** The segment the offsets {@link #claim()} returns refer to. */
    public MemorySegment entries() {
        return entries;
    }

    /** Free-running index of the next CQE this side will produce. */
    public int producerIndex() {
        return control.get(JAVA_INT, CqRing.PRODUCER_INDEX);
    }

    /**
     * The byte offset of the next CQE slot, or {@link #CQ_FULL}. Claiming again before
     * {@link #publishOwnerRelease()} returns the same slot.
     */
    public long claim() {
        int producer = control.get(JAVA_INT, CqRing.PRODUCER_INDEX);
        int cached = control.get(JAVA_INT, CqRing.CACHED_CONSUMER_INDEX);
        if (producer - cached >= capacity || producer - cached < 0) {
            cached = consumerIndexAcquire();
            control.set(JAVA_INT, CqRing.CACHED_CONSUMER_INDEX, cached);
            int used = producer - cached;
            if (used >= capacity || used < 0) {
                return CQ_FULL;
            }
        }
        return (long) (producer & (capacity - 1)) << cqeShift;
    }

    /** Takes the producer lock, spinning (then yielding) while another producer holds it. Not reentrant. */
    public void lock() {
        int spins = 0;
        while (!LOCK.compareAndSet(control, CqRing.PRODUCER_LOCK, 0, 1)) { // spin_lock(): cmpxchg acquires the previous producer's CQE and index stores
            if (++spins < 1024) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Releases the producer lock. */
    public void unlock() {
        LOCK.setRelease(control, CqRing.PRODUCER_LOCK, 0); // spin_unlock(): this producer's CQE and index stores before the next holder's
    }

    /** Whether the next {@link #claim()} would return {@link #CQ_FULL}. */
    public boolean isFull() {
        return claim() == CQ_FULL;
    }

    /**
     * The host's published consumer index, read with acquire: the host's loads of the CQEs below
     * it happened before any store this side makes after the read.
     */
    public int consumerIndexAcquire() {
        return Barriers.smpLoadAcquireInt(control, CqRing.CONSUMER_INDEX); // smp_load_acquire(): consumer index before reusing its slots
    }

    /**
     * Writes the claimed CQE's header and hands it to the host in one go ({@link Cqe#writeRelease}:
     * three plain words, then the word with the owner bit for the current lap, with release), then
     * advances the producer index (and may read the host's consumer index, see the class comment).
     * An inline payload written into the CQE before this is covered by the same release. Call only
     * after a {@link #claim()} that did not return {@link #CQ_FULL}.
     */
    public void publishRelease(long wrId, int byteLen, int immData, int qpn, int srcQp, int wqeCounter, int opcode, int status,
            int wcFlags, int inlineLen) {
        int producer = control.get(JAVA_INT, CqRing.PRODUCER_INDEX);
        long offset = (long) (producer & (capacity - 1)) << cqeShift;
        Cqe.writeRelease(entries, offset, wrId, byteLen, immData, qpn, srcQp, wqeCounter, opcode, status, wcFlags, inlineLen,
                RingMath.ownerBit(producer, log2Capacity));
        control.set(JAVA_INT, CqRing.PRODUCER_INDEX, producer + 1);
        refreshAtHalf(producer + 1);
    }

    /**
     * Hands the claimed CQE to the host: writes its owner bit for the current lap with release
     * (the body stores before it), then advances the producer index (and may read the host's
     * consumer index, see the class comment). Call only after a {@link #claim()} that did not
     * return {@link #CQ_FULL}.
     */
    public void publishOwnerRelease() {
        int producer = control.get(JAVA_INT, CqRing.PRODUCER_INDEX);
        long offset = (long) (producer & (capacity - 1)) << cqeShift;
        Cqe.writeOwnerRelease(entries, offset, RingMath.ownerBit(producer, log2Capacity));
        control.set(JAVA_INT, CqRing.PRODUCER_INDEX, producer + 1);
        refreshAtHalf(producer + 1);
    }

    /** After a publish: reads the host's consumer index when the cached copy says exactly half the ring is used. */
    private void refreshAtHalf(int next) {
        if (next - control.get(JAVA_INT, CqRing.CACHED_CONSUMER_INDEX) == capacity >> 1) {
            control.set(JAVA_INT, CqRing.CACHED_CONSUMER_INDEX, consumerIndexAcquire());
        }
    }
}
