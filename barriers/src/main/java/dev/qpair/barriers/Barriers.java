package dev.qpair.barriers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * CPU fences and one-way publication accessors over device-shared memory, named after the Linux
 * kernel primitives they reproduce. The package documentation carries the full ordering map.
 *
 * <p>The accessors take a segment and a byte offset. The offset must be naturally aligned for the
 * access width (the Java memory model only makes aligned accesses atomic); a misaligned or
 * out-of-bounds offset throws the FFM exception that names the offset and the segment. Nothing
 * here allocates.
 */
public final class Barriers {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private Barriers() {
    }

    /** {@code mb()}: all earlier loads and stores before all later loads and stores. */
    public static void mb() {
        VarHandle.fullFence(); // mb(): orders every earlier access before every later access
    }

    /** {@code rmb()}: earlier loads before later loads. */
    public static void rmb() {
        VarHandle.loadLoadFence(); // rmb(): earlier loads before later loads
    }

    /** {@code wmb()}: earlier stores, to memory and to doorbell pages, before later stores. */
    public static void wmb() {
        VarHandle.storeStoreFence(); // wmb(): earlier stores before later stores
    }

    /**
     * {@code dma_rmb()}: the owner-bit, valid-bit or phase-tag load before the loads of the
     * descriptor body it guards. Use after {@link #readOnceInt} of the owner word.
     */
    public static void dmaRmb() {
        VarHandle.loadLoadFence(); // dma_rmb(): owner/phase load before the descriptor body loads
    }

    /**
     * {@code dma_wmb()}: the descriptor body stores before the store that hands the descriptor to
     * the other side. Use before {@link #writeOnceInt} of the owner or index word.
     */
    public static void dmaWmb() {
        VarHandle.storeStoreFence(); // dma_wmb(): descriptor body stores before the owner/index store
    }

    /**
     * {@code mmiowb()}: doorbells written inside a lock reach the device before those of the next
     * lock holder. Since Linux 5.2 {@code spin_unlock()} implies it; {@link DoorbellLock#unlock()}
     * calls it for the same reason.
     */
    public static void mmiowb() {
        VarHandle.releaseFence(); // mmiowb(): doorbell stores in the critical section before the unlock store
    }

    /** {@code smp_store_release()} of a 32-bit word: every earlier access before this store. */
    public static void smpStoreReleaseInt(MemorySegment segment, long offset, int value) {
        INT.setRelease(segment, offset, value); // smp_store_release(): earlier accesses before this store
    }

    /** {@code smp_store_release()} of a 64-bit word: every earlier access before this store. */
    public static void smpStoreReleaseLong(MemorySegment segment, long offset, long value) {
        LONG.setRelease(segment, offset, value); // smp_store_release(): earlier accesses before this store
    }

    /** {@code smp_load_acquire()} of a 32-bit word: this load before every later access. */
    public static int smpLoadAcquireInt(MemorySegment segment, long offset) {
        return (int) INT.getAcquire(segment, offset); // smp_load_acquire(): this load before later accesses
    }

    /** {@code smp_load_acquire()} of a 64-bit word: this load before every later access. */
    public static long smpLoadAcquireLong(MemorySegment segment, long offset) {
        return (long) LONG.getAcquire(segment, offset); // smp_load_acquire(): this load before later accesses
    }

    /** {@code WRITE_ONCE()} of a 32-bit word: untorn, not elided, no ordering with other addresses. */
    public static void writeOnceInt(MemorySegment segment, long offset, int value) {
        INT.setOpaque(segment, offset, value); // WRITE_ONCE(): single untorn store, no ordering
    }

    /** {@code WRITE_ONCE()} of a 64-bit word: untorn, not elided, no ordering with other addresses. */
    public static void writeOnceLong(MemorySegment segment, long offset, long value) {
        LONG.setOpaque(segment, offset, value); // WRITE_ONCE(): single untorn store, no ordering
    }

    /** {@code READ_ONCE()} of a 32-bit word: untorn, re-read on every call, no ordering. */
    public static int readOnceInt(MemorySegment segment, long offset) {
        return (int) INT.getOpaque(segment, offset); // READ_ONCE(): single untorn load, no ordering
    }

    /** {@code READ_ONCE()} of a 64-bit word: untorn, re-read on every call, no ordering. */
    public static long readOnceLong(MemorySegment segment, long offset) {
        return (long) LONG.getOpaque(segment, offset); // READ_ONCE(): single untorn load, no ordering
    }
}
