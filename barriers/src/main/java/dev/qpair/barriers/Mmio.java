package dev.qpair.barriers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Register accessors for a doorbell page: the BAR or UAR page through which a driver tells a
 * device that new work is posted. The segment passed in is the whole page; every offset is
 * checked against it, so a register offset that is misaligned or outside the page throws an
 * {@link IllegalArgumentException} naming the offset, the access width and the page size instead
 * of touching a neighbouring register.
 *
 * <p>As in Linux, {@code writel}/{@code writeq} order every earlier store (descriptors, doorbell
 * records, data buffers) before the register store, while the {@code _relaxed} forms order
 * nothing and leave the caller to issue {@link Barriers#wmb()} first. Nothing here allocates.
 */
public final class Mmio {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();

    private Mmio() {
    }

    /** {@code writel()}: 32-bit register store after every earlier store. */
    public static void writel(MemorySegment page, long offset, int value) {
        INT.setRelease(page, checkOffset(page, offset, Integer.BYTES), value); // writel(): earlier stores before the doorbell
    }

    /** {@code writel_relaxed()}: 32-bit register store with no ordering against earlier stores. */
    public static void writelRelaxed(MemorySegment page, long offset, int value) {
        INT.setOpaque(page, checkOffset(page, offset, Integer.BYTES), value); // writel_relaxed(): untorn store, no ordering
    }

    /** {@code readl()}: 32-bit register load before every later load. */
    public static int readl(MemorySegment page, long offset) {
        return (int) INT.getAcquire(page, checkOffset(page, offset, Integer.BYTES)); // readl(): this load before later loads
    }

    /** {@code readl_relaxed()}: 32-bit register load with no ordering against later loads. */
    public static int readlRelaxed(MemorySegment page, long offset) {
        return (int) INT.getOpaque(page, checkOffset(page, offset, Integer.BYTES)); // readl_relaxed(): untorn load, no ordering
    }

    /** {@code writeq()}: 64-bit register store after every earlier store. */
    public static void writeq(MemorySegment page, long offset, long value) {
        LONG.setRelease(page, checkOffset(page, offset, Long.BYTES), value); // writeq(): earlier stores before the doorbell
    }

    /** {@code writeq_relaxed()}: 64-bit register store with no ordering against earlier stores. */
    public static void writeqRelaxed(MemorySegment page, long offset, long value) {
        LONG.setOpaque(page, checkOffset(page, offset, Long.BYTES), value); // writeq_relaxed(): untorn store, no ordering
    }

    /** {@code readq()}: 64-bit register load before every later load. */
    public static long readq(MemorySegment page, long offset) {
        return (long) LONG.getAcquire(page, checkOffset(page, offset, Long.BYTES)); // readq(): this load before later loads
    }

    /** {@code readq_relaxed()}: 64-bit register load with no ordering against later loads. */
    public static long readqRelaxed(MemorySegment page, long offset) {
        return (long) LONG.getOpaque(page, checkOffset(page, offset, Long.BYTES)); // readq_relaxed(): untorn load, no ordering
    }

    /**
     * Checks that a register of {@code width} bytes at {@code offset} lies inside the page and is
     * naturally aligned.
     *
     * @return {@code offset}
     * @throws IllegalArgumentException naming the offset, the width and the page size
     */
    public static long checkOffset(MemorySegment page, long offset, int width) {
        long pageSize = page.byteSize();
        if (offset < 0 || offset > pageSize - width || (offset & (width - 1)) != 0) {
            throw badOffset(offset, width, pageSize);
        }
        return offset;
    }

    private static IllegalArgumentException badOffset(long offset, int width, long pageSize) {
        String problem = (offset & (width - 1)) != 0 && offset >= 0
                ? "is not aligned to the register width"
                : "is outside the doorbell page";
        return new IllegalArgumentException(String.format(
                "doorbell offset 0x%x (%d) %s: a %d-byte register needs an offset that is a multiple of %d "
                        + "in [0, %d] for a doorbell page of %d bytes",
                offset, offset, problem, width, width, pageSize - width, pageSize));
    }
}
