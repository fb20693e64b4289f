package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * A receive WQE and the flyweight that reads and writes one in place on a receive ring.
 *
 * <p>A receive ring's slots all have one stride, a power of two in
 * [{@link #MIN_STRIDE}, {@link #MAX_STRIDE}] bytes chosen from the QP's largest SGE count with
 * {@link #strideFor(int)}. A slot holds a 16-byte header ({@link #HEADER}: {@code wr_id},
 * {@code num_sge}) and then {@code num_sge} data segments ({@link SendWqe#DATA_SEGMENT}: byte_count,
 * lkey, addr). Unlike mlx5, the {@code wr_id} travels in the WQE so the device can copy it into the
 * CQE. All fields are in native byte order.
 *
 * <p>Readers never throw on garbage: SGE offsets are reduced into the ring, and the device bounds
 * {@code num_sge} by {@link #maxSges()}. Writers validate the SGE index. Nothing allocates. The
 * fields sit between two 128-byte pads, as {@link SendWqe}'s do.
 */
public final class RecvWqe extends RecvWqePadTail {

    /** The smallest stride: the header and one data segment. */
    public static final int MIN_STRIDE = 32;
    /** The largest stride. */
    public static final int MAX_STRIDE = 512;

    /** The receive WQE header, 16 bytes. */
    public static final StructLayout HEADER = structLayout(
            JAVA_LONG.withName("wr_id"),
            JAVA_INT.withName("num_sge"),
            paddingLayout(4)).withName("recv_wqe_header");

    private static final int SGE_SIZE = (int) SendWqe.DATA_SEGMENT.byteSize();
    private static final VarHandle WR_ID = SendWqe.handle(HEADER, "wr_id");
    private static final VarHandle NUM_SGE = SendWqe.handle(HEADER, "num_sge");

    /**
     * Binds a flyweight to a receive ring.
     *
     * @param ring a power-of-two number of {@code stride}-byte slots, 64-byte aligned
     * @param stride the slot size: a power of two in [{@link #MIN_STRIDE}, {@link #MAX_STRIDE}]
     * @throws IllegalArgumentException naming the stride or the ring's size and the limits
     */
    public RecvWqe(MemorySegment ring, int stride) {
        super(ring, checkStride(stride), SendWqe.checkRing("receive ring", ring, stride, stride), (int) (ring.byteSize() / stride) - 1);
    }

    private static int checkStride(int stride) {
        if (stride < MIN_STRIDE || stride > MAX_STRIDE || Integer.bitCount(stride) != 1) {
            throw new IllegalArgumentException("stride is " + stride + ": it must be a power of two in ["
                    + MIN_STRIDE + ", " + MAX_STRIDE + "]");
        }
        return stride;
    }

    /**
     * The stride of a receive ring whose WQEs carry up to {@code maxSge} data segments.
     *
     * @throws IllegalArgumentException naming maxSge, its value and the limit
     */
    public static int strideFor(int maxSge) {
        int limit = (MAX_STRIDE - (int) HEADER.byteSize()) / SGE_SIZE;
        if (maxSge < 1 || maxSge > limit) {
            throw new IllegalArgumentException("maxSge is " + maxSge + ": a receive WQE carries [1, " + limit + "] data segments");
        }
        return RingMath.roundUpToPowerOfTwo((int) HEADER.byteSize() + maxSge * SGE_SIZE);
    }

    /** Positions the flyweight on the slot of free-running receive index {@code index}. */
    public RecvWqe at(int index) {
        base = (long) (index & slotMask) * stride;
        return this;
    }

    /** Byte offset of the current slot in the ring. */
    public long offset() {
        return base;
    }

    /** The most data segments a slot of this ring holds. */
    public int maxSges() {
        return (stride - (int) HEADER.byteSize()) / SGE_SIZE;
    }

    /** Reads {@code wr_id} of the slot at byte {@code offset} of {@code ring}. */
    public static long wrIdAt(MemorySegment ring, long offset) {
        return (long) WR_ID.get(ring, offset);
    }

    /** Reads {@code num_sge} of the slot at byte {@code offset} of {@code ring}, as written. */
    public static int numSgeAt(MemorySegment ring, long offset) {
        return (int) NUM_SGE.get(ring, offset);
    }

    private static long sgeOffsetAt(MemorySegment ring, long offset, int i) {
        return (offset + HEADER.byteSize() + (long) i * SGE_SIZE) & (ring.byteSize() - 1);
    }

    /** Reads data segment {@code i}'s {@code byte_count} of the slot at byte {@code offset} of a power-of-two-sized {@code ring}. */
    public static int sgeLengthAt(MemorySegment ring, long offset, int i) {
        return DataSegment.byteCount(ring, sgeOffsetAt(ring, offset, i));
    }

    /** Reads data segment {@code i}'s {@code lkey} of the slot at byte {@code offset} of a power-of-two-sized {@code ring}. */
    public static int sgeLkeyAt(MemorySegment ring, long offset, int i) {
        return DataSegment.lkey(ring, sgeOffsetAt(ring, offset, i));
    }

    /** Reads data segment {@code i}'s {@code addr} of the slot at byte {@code offset} of a power-of-two-sized {@code ring}. */
    public static long sgeAddressAt(MemorySegment ring, long offset, int i) {
        return DataSegment.addr(ring, sgeOffsetAt(ring, offset, i));
    }

    /** Reads {@code wr_id}: returned in the receive's CQE. */
    public long wrId() {
        return (long) WR_ID.get(ring, base);
    }

    /** Writes {@code wr_id}: returned in the receive's CQE. */
    public RecvWqe wrId(long wrId) {
        WR_ID.set(ring, base, wrId);
        return this;
    }

    /** The number of data segments, as written (the device bounds it by {@link #maxSges()}). */
    public int numSge() {
        return (int) NUM_SGE.get(ring, base);
    }

    /** Writes {@code num_sge}: data segments that follow the header. */
    public RecvWqe numSge(int numSge) {
        NUM_SGE.set(ring, base, numSge);
        return this;
    }

    private long sgeOffset(int i) {
        return (base + HEADER.byteSize() + (long) i * SGE_SIZE) & ringMask;
    }

    /**
     * Writes data segment {@code i}.
     *
     * @throws IllegalArgumentException naming i, its value and the slot's limit
     */
    public RecvWqe sge(int i, int lkey, long addr, int length) {
        if (i < 0 || i >= maxSges()) {
            throw new IllegalArgumentException("sge index i is " + i + ": a " + stride
                    + "-byte receive WQE has data segments [0, " + (maxSges() - 1) + "]");
        }
        DataSegment.write(ring, sgeOffset(i), lkey, addr, length);
        return this;
    }

    /** Reads data segment {@code i}'s {@code byte_count}. */
    public int sgeLength(int i) {
        return DataSegment.byteCount(ring, sgeOffset(i));
    }

    /** Reads data segment {@code i}'s {@code lkey}. */
    public int sgeLkey(int i) {
        return DataSegment.lkey(ring, sgeOffset(i));
    }

    /** Reads data segment {@code i}'s {@code addr}. */
    public long sgeAddress(int i) {
        return DataSegment.addr(ring, sgeOffset(i));
    }
}

/** A line pair of padding, and a filler for the header's gap, before RecvWqe's fields. */
abstract class RecvWqePadHead {
    int f0;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** RecvWqe's fields, written by the one thread that uses the instance. */
abstract class RecvWqeFields extends RecvWqePadHead {
    final MemorySegment ring;
    final int stride;
    final long ringMask;
    final int slotMask;
    long base;

    RecvWqeFields(MemorySegment ring, int stride, long ringMask, int slotMask) {
        this.ring = ring;
        this.stride = stride;
        this.ringMask = ringMask;
        this.slotMask = slotMask;
    }
}

/** A line pair of padding after RecvWqe's fields. */
abstract class RecvWqePadTail extends RecvWqeFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    RecvWqePadTail(MemorySegment ring, int stride, long ringMask, int slotMask) {
        super(ring, stride, ringMask, slotMask);
    }
}
