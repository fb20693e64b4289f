package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The memory of a completion queue: a power-of-two array of 64- or 128-byte {@link Cqe}s and a 256-byte
 * control block that holds each side's indices on its own 128-byte line.
 *
 * <pre>
 *   control offset  size  field                   written by  read by
 *   0               4     producer_index          device      device
 *   4               4     cached_consumer_index   device      device
 *   8               4     producer_lock           device      device (producers of a CQ shared by engine threads)
 *   128             4     consumer_index          host        device (acquire, when the cache says half used after a publish, or full)
 *   132             4     polled_index            host        host
 *   136             4     poll_state              host        host (the poll API's batch state)
 *   256                   (size)
 * </pre>
 *
 * <p>Both sides start at index 0 on zeroed memory. Starting anywhere else needs every CQE to
 * carry the owner bit of the lap before the start, as if that lap had been produced and consumed.
 *
 * <p>The device side is {@link CqProducer}, the host side {@link CqConsumer}; each is used by one
 * thread at a time. Keeping both sides' mutable state off-heap, on separate lines, means neither
 * side's stores invalidate a line the other reads on its fast path, and the Java objects over the
 * ring hold no state that changes per CQE (a field there would share a heap line with the other
 * side's fields).
 */
public final class CqRing {

    /** The largest CQ: 2<sup>22</sup> CQEs, as mlx5. */
    public static final int MAX_CAPACITY = 1 << 22;

    /** The control block, 256 bytes. */
    public static final StructLayout CONTROL_LAYOUT = structLayout(
            JAVA_INT.withName("producer_index"),
            JAVA_INT.withName("cached_consumer_index"),
            JAVA_INT.withName("producer_lock"),
            paddingLayout(116),
            JAVA_INT.withName("consumer_index"),
            JAVA_INT.withName("polled_index"),
            JAVA_INT.withName("poll_state"),
            paddingLayout(116)).withName("cq_control");

    static final long PRODUCER_INDEX = CONTROL_LAYOUT.byteOffset(groupElement("producer_index"));
    static final long CACHED_CONSUMER_INDEX = CONTROL_LAYOUT.byteOffset(groupElement("cached_consumer_index"));
    static final long CONSUMER_INDEX = CONTROL_LAYOUT.byteOffset(groupElement("consumer_index"));
    static final long POLLED_INDEX = CONTROL_LAYOUT.byteOffset(groupElement("polled_index"));
    static final long PRODUCER_LOCK = CONTROL_LAYOUT.byteOffset(groupElement("producer_lock"));
    static final long POLL_STATE = CONTROL_LAYOUT.byteOffset(groupElement("poll_state"));

    private final MemorySegment entries;
    private final MemorySegment control;
    private final int capacity;
    private final int log2Capacity;
    private final int cqeSize;
    private final int cqeShift;

    /**
     * A CQ over existing memory (for example a shared-memory file).
     *
     * @param entries a power-of-two number of CQEs, at most {@link #MAX_CAPACITY}, 64-byte aligned, zeroed
     *                (a zeroed ring holds no valid CQE: see {@link RingMath#ownerBit})
     * @param control {@link #CONTROL_LAYOUT}-sized, 128-byte aligned, zeroed
     * @param cqeSize {@link Cqe#SIZE} or {@link Cqe#LARGE_SIZE}
     * @throws IllegalArgumentException naming the argument, its value and the constraint
     */
    public CqRing(MemorySegment entries, MemorySegment control, int cqeSize) {
        this.cqeSize = Cqe.checkSize(cqeSize);
        this.cqeShift = Integer.numberOfTrailingZeros(cqeSize);
        long size = entries.byteSize();
        if (size % cqeSize != 0 || size / cqeSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CQE array size is " + size + " bytes: it must be a multiple of "
                    + cqeSize + " (capacity * " + cqeSize + ")");
        }
        this.log2Capacity = RingMath.checkCapacity("CQ capacity", (int) (size / cqeSize), MAX_CAPACITY);
        if ((entries.address() & (Cqe.SIZE - 1)) != 0) {
            throw new IllegalArgumentException("CQE array address is 0x" + Long.toHexString(entries.address())
                    + ": it must be aligned to " + Cqe.SIZE + " bytes");
        }
        if (control.byteSize() < CONTROL_LAYOUT.byteSize() || (control.address() & 127) != 0) {
            throw new IllegalArgumentException("CQ control block is " + control.byteSize() + " bytes at 0x"
                    + Long.toHexString(control.address()) + ": it must be at least " + CONTROL_LAYOUT.byteSize()
                    + " bytes, 128-byte aligned");
        }
        this.entries = entries;
        this.control = control;
        this.capacity = 1 << log2Capacity;
    }

    /**
     * A zeroed CQ of {@code capacity} 64-byte CQEs from {@code arena}.
     *
     * @throws IllegalArgumentException naming the capacity and the limit {@link #MAX_CAPACITY}
     */
    public static CqRing allocate(Arena arena, int capacity) {
        return allocate(arena, capacity, Cqe.SIZE);
    }

    /**
     * A zeroed CQ of {@code capacity} CQEs of {@code cqeSize} bytes from {@code arena}.
     *
     * @throws IllegalArgumentException naming the capacity or cqeSize, its value and the limit
     */
    public static CqRing allocate(Arena arena, int capacity, int cqeSize) {
        RingMath.checkCapacity("CQ capacity", capacity, MAX_CAPACITY);
        Cqe.checkSize(cqeSize);
        return new CqRing(arena.allocate((long) capacity * cqeSize, 4096), arena.allocate(CONTROL_LAYOUT.byteSize(), 128),
                cqeSize);
    }

    /** The CQE array. */
    public MemorySegment entries() {
        return entries;
    }

    /** The control block ({@link #CONTROL_LAYOUT}). */
    public MemorySegment control() {
        return control;
    }

    /** The number of CQEs. */
    public int capacity() {
        return capacity;
    }

    /** Log<sub>2</sub> of {@link #capacity()}. */
    public int log2Capacity() {
        return log2Capacity;
    }

    /** Bytes per CQE: {@link Cqe#SIZE} or {@link Cqe#LARGE_SIZE}. */
    public int cqeSize() {
        return cqeSize;
    }

    /** A flyweight for this CQ's CQEs. */
    public Cqe newCqe() {
        return new Cqe(cqeSize);
    }

    /** Byte offset in {@link #entries()} of the CQE of free-running index {@code index}. */
    public long offsetOf(int index) {
        return (long) (index & (capacity - 1)) << cqeShift;
    }

    /** The device side of this CQ. */
    public CqProducer producer() {
        return new CqProducer(this);
    }

    /** The host side of this CQ. */
    public CqConsumer consumer() {
        return new CqConsumer(this);
    }
}
