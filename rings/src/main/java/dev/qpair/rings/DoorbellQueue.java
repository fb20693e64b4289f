package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.qpair.barriers.Barriers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * A device-wide doorbell queue: the software form of a UAR doorbell FIFO with BlueFlame. Every
 * doorbell a host rings is one 128-byte slot: the QPN, the new send producer index and, when the
 * batch is one small WQE, a copy of that WQE, so the device learns which queue has work, how much,
 * and usually the work itself from one aligned pair of cache lines, and its cost per doorbell does
 * not grow with the number of queues. Many host threads ring (multi-producer); one device thread
 * consumes.
 *
 * <pre>
 *   slot offset  size  field
 *   0            116   blueflame   the first {@link #BLUEFLAME_BYTES} bytes of a WQE (a 128-byte ring for a
 *                                  {@link SendWqe} flyweight; the WQE's bytes beyond 116 must be padding)
 *   116          4     qpn_blocks  QPN (bits 0-23) and the copy's basic blocks (bits 24-31, 0: no copy)
 *   120          4     producer    the send producer index after the batch (free-running)
 *   124          4     seq         position + 1, written last with release: the slot is published
 *   128                (slot size)
 *
 *   control offset  size  field             written by  read by
 *   0               4     claim             host (CAS)  host
 *   4               4     cached_consumer   host        host
 *   128             4     consumer          device      host, when cached_consumer says half used (after a publish) or full
 * </pre>
 *
 * <p><b>Protocol.</b> A host claims the next position with {@link #claim()} (a CAS on the host's
 * own line; it reads the device's consumer index when its cached copy says the queue is full,
 * and then returns {@link #FULL} rather than overwrite an unconsumed slot), copies the WQE
 * ({@link #copyBlueFlame}) and publishes the slot with {@link #publish}, whose release store of
 * {@code seq} comes last ({@code writel()} ordering: the WQEs in the ring, the doorbell record and
 * the copy before the doorbell). The publish that makes the cached copy say half the queue is
 * used reads the device's consumer index too, after the doorbell, so that the line transfer of
 * that read is not on a doorbell's way to the device, as it would be in one claim in every
 * {@code capacity} otherwise. The device polls only the next slot's {@code seq} with acquire
 * ({@link #pollAcquire()}), reads the slot, and returns it with {@link #releaseSlot()}. The
 * doorbell and a WQE of up to 116 bytes (a 64-byte inline RDMA WRITE) share one 128-byte aligned
 * pair of lines, which is all that crosses from the host's core to the device's.
 *
 * <p><b>Trust.</b> Nothing in a slot is trusted: the accessors return the raw values and the
 * device validates them (a QPN that names no queue, a stale or impossible producer index, a
 * block count the copy cannot hold). A slot that was claimed is always published by the code
 * between the two calls, which cannot fail; the device waits for each position in order.
 */
public final class DoorbellQueue {

    /** {@link #claim()}'s answer when every slot holds an unconsumed doorbell. */
    public static final long FULL = -1;
    /** {@link #pollAcquire()}'s answer when the next slot is not published yet. */
    public static final long EMPTY = -1;
    /** The most bytes of a WQE a slot's BlueFlame copy holds. */
    public static final int BLUEFLAME_BYTES = 116;
    /** The most basic blocks a slot's BlueFlame copy spans. */
    public static final int BLUEFLAME_BLOCKS = 2;
    /** The largest queue. */
    public static final int MAX_CAPACITY = 1 << 16;

    /** One slot, 128 bytes. */
    public static final StructLayout SLOT = structLayout(
            sequenceLayout(BLUEFLAME_BYTES, JAVA_BYTE).withName("blueflame"),
            JAVA_INT.withName("qpn_blocks"),
            JAVA_INT.withName("producer"),
            JAVA_INT.withName("seq")).withName("doorbell_slot");

    /** The control block, 256 bytes. */
    public static final StructLayout CONTROL = structLayout(
            JAVA_INT.withName("claim"),
            JAVA_INT.withName("cached_consumer"),
            paddingLayout(120),
            JAVA_INT.withName("consumer"),
            paddingLayout(124)).withName("doorbell_queue_control");

    private static final long SEQ = SLOT.byteOffset(groupElement("seq"));
    private static final long QPN_BLOCKS = SLOT.byteOffset(groupElement("qpn_blocks"));
    private static final long PRODUCER = SLOT.byteOffset(groupElement("producer"));
    private static final long CLAIM = CONTROL.byteOffset(groupElement("claim"));
    private static final long CACHED_CONSUMER = CONTROL.byteOffset(groupElement("cached_consumer"));
    private static final long CONSUMER = CONTROL.byteOffset(groupElement("consumer"));
    private static final int SLOT_SHIFT = Integer.numberOfTrailingZeros((int) SLOT.byteSize());
    private static final int QPN_MASK = (1 << 24) - 1;
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment slots;
    private final MemorySegment control;
    private final int capacity;
    private final int mask;

    private DoorbellQueue(MemorySegment slots, MemorySegment control, int capacity) {
        this.slots = slots;
        this.control = control;
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /**
     * A zeroed queue of {@code capacity} slots from {@code arena}.
     *
     * @throws IllegalArgumentException naming capacity, its value and the limit {@link #MAX_CAPACITY}
     */
    public static DoorbellQueue allocate(Arena arena, int capacity) {
        RingMath.checkCapacity("doorbell queue capacity", capacity, MAX_CAPACITY);
        return new DoorbellQueue(arena.allocate((long) capacity * SLOT.byteSize(), 4096),
                arena.allocate(CONTROL.byteSize(), 128), capacity);
    }

    /** Slots the queue holds. */
    public int capacity() {
        return capacity;
    }

    // ---- host side ----

    /**
     * Claims the next position, or returns {@link #FULL} when every slot holds a doorbell the device
     * has not consumed. A claimed position must be {@link #publish published}. Any host thread.
     */
    public long claim() {
        for (;;) {
            int position = (int) INT.getVolatile(control, CLAIM); // READ_ONCE() with ordering: the claim before the slot it decides on
            int cached = control.get(JAVA_INT, CACHED_CONSUMER);
            if (position - cached >= capacity || position - cached < 0) {
                cached = consumedAcquire();
                control.set(JAVA_INT, CACHED_CONSUMER, cached);
                if (position - cached >= capacity) {
                    return FULL;
                }
            }
            if (INT.compareAndSet(control, CLAIM, position, position + 1)) { // cmpxchg(): one host owns each position
                return position & 0xffff_ffffL;
            }
        }
    }

    /**
     * Copies the first {@code bytes} bytes of the WQE at {@code wqe}'s position (wrapping at its
     * ring's end) into a claimed position's slot. Plain stores; {@link #publish} orders them.
     *
     * @throws IllegalArgumentException naming bytes, its value and {@link #BLUEFLAME_BYTES}
     */
    public void copyBlueFlame(long position, SendWqe wqe, int bytes) {
        if (bytes < 1 || bytes > BLUEFLAME_BYTES) {
            throw new IllegalArgumentException("bytes is " + bytes + ": a BlueFlame copy holds 1 to " + BLUEFLAME_BYTES + " bytes");
        }
        long to = slotOffset((int) position);
        MemorySegment ring = wqe.ring();
        long from = wqe.offset();
        long first = Math.min(bytes, ring.byteSize() - from);
        MemorySegment.copy(ring, from, slots, to, first);
        if (first < bytes) {
            MemorySegment.copy(ring, 0, slots, to + first, bytes - first);
        }
    }

    /**
     * Publishes the doorbell at a claimed position ({@code qpn}'s low 24 bits, and the basic blocks
     * of the WQE copied, 0 to 255, 0 for none): the header with plain stores, then
     * {@code seq} with release, so every earlier store (WQEs, doorbell record, BlueFlame copy) is
     * visible before the device can see the slot. Then, at the half mark of the cached consumer
     * index, reads the device's (see the class comment).
     */
    public void publish(long position, int qpn, int producer, int blueFlameBlocks) {
        long slot = slotOffset((int) position);
        slots.set(JAVA_INT, slot + QPN_BLOCKS, qpn & QPN_MASK | blueFlameBlocks << 24);
        slots.set(JAVA_INT, slot + PRODUCER, producer);
        Barriers.smpStoreReleaseInt(slots, slot + SEQ, (int) position + 1); // writel(): ring, record, copy and header stores before the doorbell
        if ((int) position + 1 - control.get(JAVA_INT, CACHED_CONSUMER) == capacity >> 1) {
            control.set(JAVA_INT, CACHED_CONSUMER, consumedAcquire());
        }
    }

    /** Positions claimed so far (free-running): a doorbell rung before this read has a position below it. */
    public int claimedAcquire() {
        return (int) INT.getAcquire(control, CLAIM); // smp_load_acquire(): the claims made so far
    }

    /** Positions the device has consumed (free-running), read with acquire: it is done with the slots below. */
    public int consumedAcquire() {
        return Barriers.smpLoadAcquireInt(control, CONSUMER); // smp_load_acquire(): the device's slot loads before their reuse
    }

    // ---- device side: one thread ----

    /**
     * The byte offset of the next slot if its doorbell is published, else {@link #EMPTY}: reads its
     * {@code seq} with acquire, so the slot's and every earlier host store are visible to later loads.
     */
    public long pollAcquire() {
        int position = control.get(JAVA_INT, CONSUMER);
        long slot = slotOffset(position);
        if (Barriers.smpLoadAcquireInt(slots, slot + SEQ) != position + 1) { // smp_load_acquire(): seq before the slot, ring and record loads
            return EMPTY;
        }
        return slot;
    }

    /**
     * Device, right before each {@link #pollAcquire()}: loads the first word of the next slot's
     * other line (the WQE copy's first 64 bytes), so that this line's transfer is in flight with
     * {@code seq}'s. Called after the poll instead, only in the iterations that find the slot empty,
     * it left the device that saw {@code seq} to fetch this line afresh whenever the host's store
     * to it had landed after the previous iteration's load: two transfers one after the other.
     * Returns the word, to be compared with something so that the load is kept; it means nothing.
     */
    public long touchNext() {
        return Barriers.readOnceLong(slots, slotOffset(control.get(JAVA_INT, CONSUMER))); // READ_ONCE() as prefetch(): a racy load the JIT must issue, ordering nothing
    }

    /** The position {@link #pollAcquire()} looks at. */
    public int consumerPosition() {
        return control.get(JAVA_INT, CONSUMER);
    }

    /** A polled slot's QPN, as the host wrote it. */
    public int qpn(long slot) {
        return slots.get(JAVA_INT, slot + QPN_BLOCKS) & QPN_MASK;
    }

    /** A polled slot's producer index, as the host wrote it. */
    public int producer(long slot) {
        return slots.get(JAVA_INT, slot + PRODUCER);
    }

    /** A polled slot's BlueFlame block count, as the host wrote it (any value: the device bounds it). */
    public int blueFlameBlocks(long slot) {
        return slots.get(JAVA_INT, slot + QPN_BLOCKS) >>> 24;
    }

    /** Returns the polled slot to the hosts: publishes the consumer position with release. */
    public void releaseSlot() {
        Barriers.smpStoreReleaseInt(control, CONSUMER, control.get(JAVA_INT, CONSUMER) + 1); // smp_store_release(): the slot's loads before a host reuses it
    }

    /**
     * Slot {@code index} as a 128-byte ring for a {@link SendWqe} flyweight that reads its BlueFlame
     * copy (a new slice: take one per slot at setup).
     *
     * @throws IndexOutOfBoundsException naming index and the capacity
     */
    public MemorySegment blueFlame(int index) {
        if (index < 0 || index >= capacity) {
            throw new IndexOutOfBoundsException("slot index is " + index + ": the queue has slots [0, " + (capacity - 1) + "]");
        }
        return slots.asSlice((long) index << SLOT_SHIFT, SLOT.byteSize());
    }

    /** The slot index of free-running position {@code position}. */
    public int indexOf(int position) {
        return position & mask;
    }

    private long slotOffset(int position) {
        return (long) (position & mask) << SLOT_SHIFT;
    }

    /** The control block (tests read the host's cached copy of the consumer index in it). */
    MemorySegment control() {
        return control;
    }

    /** The slots, for tests that write garbage into them. */
    public MemorySegment slots() {
        return slots;
    }
}
