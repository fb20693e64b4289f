package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.MemorySegment;

/**
 * The host side of a {@link CqRing}, in the shape of {@code ibv_start_poll / ibv_next_poll /
 * ibv_end_poll}: {@link #pollAcquire()} finds the next valid CQE (the caller reads it in place
 * with a {@link Cqe} flyweight), {@link #advance()} steps past it, and
 * {@link #publishConsumerIndexRelease()} returns every CQE stepped past to the device, once per
 * batch. One thread at a time.
 *
 * <p>Method names carry their ordering: {@code ...Acquire} takes over, {@code ...Release} hands
 * back; the rest are plain accesses to this side's own line. Nothing allocates.
 */
public final class CqConsumer {

    /** {@link #pollAcquire()}'s answer when no CQE is ready. */
    public static final long CQ_EMPTY = -1;

    private final MemorySegment entries;
    private final MemorySegment control;
    private final int capacity;
    private final int log2Capacity;
    private final int cqeShift;

    CqConsumer(CqRing ring) {
        this.entries = ring.entries();
        this.control = ring.control();
        this.capacity = ring.capacity();
        this.log2Capacity = ring.log2Capacity();
        this.cqeShift = Integer.numberOfTrailingZeros(ring.cqeSize());
    }

    /** The segment the offsets {@link #pollAcquire()} returns refer to. */
    public MemorySegment entries() {
        return entries;
    }

    /** Free-running index of the next CQE this side will poll. */
    public int consumerIndex() {
        return control.get(JAVA_INT, CqRing.POLLED_INDEX);
    }

    /**
     * The byte offset of the next CQE if the device has handed it over, else {@link #CQ_EMPTY}.
     * Reads the owner bit once ({@code READ_ONCE()}) and compares it with the current lap's; on a
     * match, {@code dma_rmb()} orders that load before the caller's loads of the body.
     */
    public long pollAcquire() {
        int index = control.get(JAVA_INT, CqRing.POLLED_INDEX);
        long offset = (long) (index & (capacity - 1)) << cqeShift;
        if (cqeShift > 6) {
            Barriers.readOnceLong(entries, offset + 64); // prefetch(): asks for a 128-byte CQE's second line with its first, so the two transfers overlap
        }
        if (Cqe.readOwnerOnce(entries, offset) != RingMath.ownerBit(index, log2Capacity)) {
            return CQ_EMPTY;
        }
        Barriers.dmaRmb(); // dma_rmb(): owner-bit load before the CQE body loads
        return offset;
    }

    /** Byte offset of the CQE at the poll position (the one {@link #pollAcquire()} last returned until {@link #advance()}). */
    public long currentOffset() {
        return (long) (control.get(JAVA_INT, CqRing.POLLED_INDEX) & (capacity - 1)) << cqeShift;
    }

    /** The poll API's state word on the host's line (plain: host-private). */
    public int pollState() {
        return control.get(JAVA_INT, CqRing.POLL_STATE);
    }

    /** Sets the poll API's state word on the host's line (plain: host-private). */
    public void pollState(int state) {
        control.set(JAVA_INT, CqRing.POLL_STATE, state);
    }

    /** Steps past the CQE {@link #pollAcquire()} returned; the device may not reuse it before {@link #publishConsumerIndexRelease()}. */
    public void advance() {
        control.set(JAVA_INT, CqRing.POLLED_INDEX, control.get(JAVA_INT, CqRing.POLLED_INDEX) + 1);
    }

    /**
     * Returns every CQE stepped past to the device: publishes the consumer index with release, so
     * the loads of those CQEs' bodies happen before the device can overwrite them.
     */
    public void publishConsumerIndexRelease() {
        Barriers.smpStoreReleaseInt(control, CqRing.CONSUMER_INDEX, control.get(JAVA_INT, CqRing.POLLED_INDEX)); // smp_store_release(): CQE body loads before the slots are returned
    }
}
