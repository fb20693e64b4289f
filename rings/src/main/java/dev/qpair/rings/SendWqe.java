package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A send WQE and the flyweight that reads and writes one in place on a send ring.
 *
 * <p><b>Format.</b> A send WQE occupies one or more consecutive 64-byte basic blocks of the send
 * ring; the ring's slots are basic blocks, and a WQE's producer-index step is its basic-block
 * count. Inside, it is a sequence of 16-byte units (octowords, mlx5's "DS"):
 * <pre>
 *   offset  size  segment
 *   0       32    control ({@link #CTRL_SEGMENT}): opcode, flags, wqe_index, qpn, ds, imm_data, wr_id, invalidate_rkey
 *   32      16    remote address ({@link #REMOTE_ADDRESS_SEGMENT}), if {@link WrOpcode#hasRemoteAddress}
 *   +16     16    atomic ({@link #ATOMIC_SEGMENT}), if {@link WrOpcode#hasAtomic}
 *   then          N data segments ({@link #DATA_SEGMENT}, 16 bytes each: byte_count, lkey, addr),
 *                 or one inline segment: a 4-byte byte_count ({@link #INLINE_HEADER}) and the data,
 *                 padded to a multiple of 16 bytes
 * </pre>
 * The control segment's {@code ds} is the WQE size in 16-byte units, control segment included;
 * the basic-block count is {@code ceil(ds / 4)} ({@link #basicBlocks(int)}). A WQE is at most
 * {@link #MAX_BASIC_BLOCKS} basic blocks. Unlike mlx5, the control segment carries the
 * {@code wr_id}, so the device copies it into the CQE and a poller finds it on the CQE's line.
 * All fields are in native byte order.
 *
 * <p><b>Wrap.</b> A multi-block WQE may run past the end of the ring and continue at its start,
 * as on mlx5: every field offset is taken modulo the ring's size. Segments are 16-byte aligned, so
 * only inline data can straddle the end, and the inline accessors split the copy.
 *
 * <p><b>Flyweight.</b> An instance is bound to one ring and positioned with {@link #at(int)}; its
 * accessors are plain loads and stores (publication is the doorbell record's job, see
 * {@link DoorbellRecord}). Readers never throw on garbage field values: every offset they compute
 * is reduced into the ring. Writers validate their index arguments. Nothing allocates. The
 * fields sit between two 128-byte pads: {@link #at(int)} stores on every WQE, and the GC may put
 * any object next to this one, such as a ring segment the peer's thread reads on every message.
 */
public final class SendWqe extends SendWqePadTail {

    /** Size of a basic block, the unit of send-ring slots. */
    public static final int BASIC_BLOCK_SIZE = 64;
    /** Size of an octoword, the unit of the control segment's {@code ds}. */
    public static final int OCTOWORD_SIZE = 16;
    /** The largest WQE, in basic blocks. */
    public static final int MAX_BASIC_BLOCKS = 8;
    /** The largest WQE, in bytes. */
    public static final int MAX_WQE_SIZE = MAX_BASIC_BLOCKS * BASIC_BLOCK_SIZE;

    /** {@code flags}: generate a CQE for this WQE (IBV_SEND_SIGNALED). */
    public static final int FLAG_SIGNALED = 1;
    /** {@code flags}: set the solicited-event bit in the responder's CQE (IBV_SEND_SOLICITED). */
    public static final int FLAG_SOLICITED = 1 << 1;
    /** {@code flags}: wait for earlier RDMA READs and atomics to complete first (IBV_SEND_FENCE). */
    public static final int FLAG_FENCE = 1 << 2;
    /** {@code flags}: the payload is in an inline segment, not behind data segments (IBV_SEND_INLINE). */
    public static final int FLAG_INLINE = 1 << 3;

    /** The control segment, 32 bytes: the WQE's first two octowords. */
    public static final StructLayout CTRL_SEGMENT = structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("wqe_index"),
            JAVA_INT.withName("qpn"),
            JAVA_BYTE.withName("ds"),
            paddingLayout(3),
            JAVA_INT.withName("imm_data"),
            JAVA_LONG.withName("wr_id"),
            JAVA_INT.withName("invalidate_rkey"),
            paddingLayout(4)).withName("send_wqe_ctrl_seg");

    /** The remote-address segment, 16 bytes. */
    public static final StructLayout REMOTE_ADDRESS_SEGMENT = structLayout(
            JAVA_LONG.withName("remote_addr"),
            JAVA_INT.withName("rkey"),
            paddingLayout(4)).withName("send_wqe_raddr_seg");

    /** The atomic segment, 16 bytes: swap (compare-and-swap) or add (fetch-and-add), and compare. */
    public static final StructLayout ATOMIC_SEGMENT = structLayout(
            JAVA_LONG.withName("swap_add"),
            JAVA_LONG.withName("compare")).withName("send_wqe_atomic_seg");

    /** A data segment (SGE), 16 bytes. */
    public static final StructLayout DATA_SEGMENT = structLayout(
            JAVA_INT.withName("byte_count"),
            JAVA_INT.withName("lkey"),
            JAVA_LONG.withName("addr")).withName("wqe_data_seg");

    /** The inline segment's header, 4 bytes; the inline data follows it directly. */
    public static final StructLayout INLINE_HEADER = structLayout(
            JAVA_INT.withName("byte_count")).withName("send_wqe_inline_seg");

    /** {@link #INLINE_HEADER}'s size: inline data starts this many bytes after an opcode's {@link #payloadOffset}. */
    public static final int INLINE_HEADER_BYTES = (int) INLINE_HEADER.byteSize();

    private static final long INLINE_DATA_OFFSET = INLINE_HEADER.byteSize();

    private static final VarHandle OPCODE = ctrl("opcode");
    private static final VarHandle FLAGS = ctrl("flags");
    private static final VarHandle WQE_INDEX = ctrl("wqe_index");
    private static final VarHandle QPN = ctrl("qpn");
    private static final VarHandle DS = ctrl("ds");
    private static final VarHandle IMM_DATA = ctrl("imm_data");
    private static final VarHandle WR_ID = ctrl("wr_id");
    private static final VarHandle INVALIDATE_RKEY = ctrl("invalidate_rkey");
    private static final VarHandle REMOTE_ADDR = handle(REMOTE_ADDRESS_SEGMENT, "remote_addr");
    private static final VarHandle RKEY = handle(REMOTE_ADDRESS_SEGMENT, "rkey");
    private static final VarHandle SWAP_ADD = handle(ATOMIC_SEGMENT, "swap_add");
    private static final VarHandle COMPARE = handle(ATOMIC_SEGMENT, "compare");
    private static final VarHandle INLINE_BYTE_COUNT = handle(INLINE_HEADER, "byte_count");
    private static final VarHandle CTRL_WORD = JAVA_LONG.varHandle().withInvokeExactBehavior();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * Binds a flyweight to a send ring.
     *
     * @param ring the ring: a power-of-two number of basic blocks, at most {@link RingMath#MAX_CAPACITY},
     *             64-byte aligned (a BlueFlame buffer qualifies too)
     * @throws IllegalArgumentException naming the ring's size or address and the constraint
     */
    public SendWqe(MemorySegment ring) {
        super(ring, checkRing("send ring", ring, BASIC_BLOCK_SIZE, BASIC_BLOCK_SIZE), (int) (ring.byteSize() / BASIC_BLOCK_SIZE) - 1);
    }

    static long checkRing(String what, MemorySegment ring, int stride, int minSize) {
        long size = ring.byteSize();
        long max = (long) RingMath.MAX_CAPACITY * stride;
        if (size < minSize || size > max || Long.bitCount(size) != 1) {
            throw new IllegalArgumentException(what + " size is " + size + " bytes: it must be a power of two in ["
                    + minSize + ", " + max + "] (a power-of-two number of " + stride + "-byte slots)");
        }
        if ((ring.address() & (BASIC_BLOCK_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(what + " address is 0x" + Long.toHexString(ring.address())
                    + ": it must be aligned to " + BASIC_BLOCK_SIZE + " bytes");
        }
        return size - 1;
    }

    /** Positions the flyweight on the WQE that starts at free-running basic-block index {@code index}. */
    public SendWqe at(int index) {
        base = (long) (index & blockMask) * BASIC_BLOCK_SIZE;
        return this;
    }

    /** The ring this flyweight is bound to. */
    public MemorySegment ring() {
        return ring;
    }

    /** Byte offset in the ring of the current WQE's first basic block. */
    public long offset() {
        return base;
    }

    private long ringOffset(long offsetInWqe) {
        return (base + offsetInWqe) & ringMask;
    }

    // ---- sizing (seed 000: how many slots a post needs) ----

    /** Byte offset, inside a WQE of {@code opcode}, of its first data segment or its inline segment. */
    public static int payloadOffset(int opcode) {
        return CTRL_BYTES + (WrOpcode.hasRemoteAddress(opcode) ? RADDR_BYTES : 0) + (WrOpcode.hasAtomic(opcode) ? ATOMIC_BYTES : 0);
    }

    /** The segments' sizes as int constants: keeps {@link #payloadOffset} within HotSpot's MaxInlineSize, so every call site inlines it. */
    private static final int CTRL_BYTES = (int) CTRL_SEGMENT.byteSize();
    private static final int RADDR_BYTES = (int) REMOTE_ADDRESS_SEGMENT.byteSize();
    private static final int ATOMIC_BYTES = (int) ATOMIC_SEGMENT.byteSize();

    /** The most data segments a WQE of {@code opcode} can carry. */
    public static int maxSges(int opcode) {
        return (MAX_WQE_SIZE - payloadOffset(opcode)) / (int) DATA_SEGMENT.byteSize();
    }

    /** The most inline bytes a WQE of {@code opcode} can carry; 0 for opcodes that take no inline data. */
    public static int maxInlineData(int opcode) {
        return WrOpcode.allowsInline(opcode) ? MAX_WQE_SIZE - payloadOffset(opcode) - (int) INLINE_DATA_OFFSET : 0;
    }

    /**
     * The WQE size in octowords ({@code ds}) of an {@code opcode} WQE with {@code numSge} data segments.
     *
     * @throws IllegalArgumentException naming numSge, its value and {@link #maxSges(int)}
     */
    public static int octowordsForSges(int opcode, int numSge) {
        int max = maxSges(opcode);
        if (numSge < 0 || numSge > max) {
            throw new IllegalArgumentException("numSge is " + numSge + ": opcode " + opcode
                    + " takes [0, " + max + "] data segments in a WQE of at most " + MAX_WQE_SIZE + " bytes");
        }
        return (payloadOffset(opcode) + numSge * (int) DATA_SEGMENT.byteSize()) / OCTOWORD_SIZE;
    }

    /**
     * The WQE size in octowords ({@code ds}) of an {@code opcode} WQE carrying {@code inlineBytes} inline.
     *
     * @throws IllegalArgumentException naming inlineBytes, its value and {@link #maxInlineData(int)}
     */
    public static int octowordsForInline(int opcode, int inlineBytes) {
        int max = maxInlineData(opcode);
        if (inlineBytes < 0 || inlineBytes > max) {
            throw new IllegalArgumentException("inlineBytes is " + inlineBytes + ": opcode " + opcode
                    + " takes [0, " + max + "] bytes of inline data");
        }
        return octowordsForInlineAt(payloadOffset(opcode), inlineBytes);
    }

    /**
     * The WQE size in octowords ({@code ds}) of inline data of {@code inlineBytes} at
     * {@code payloadOffset} (an opcode's {@link #payloadOffset}, a multiple of 16), unchecked: the
     * poster's form of {@link #octowordsForInline}, for a length it has already checked.
     */
    public static int octowordsForInlineAt(int payloadOffset, int inlineBytes) {
        return (payloadOffset + (int) INLINE_DATA_OFFSET + inlineBytes + OCTOWORD_SIZE - 1) / OCTOWORD_SIZE;
    }

    /** Basic blocks (send-ring slots) of a WQE of {@code ds} octowords, for any {@code ds} in [0, 255]. */
    public static int basicBlocks(int ds) {
        return ((ds & 0xff) + 3) >>> 2;
    }

    /** Send-ring slots an {@code opcode} WQE with {@code numSge} data segments needs. */
    public static int slotsForSges(int opcode, int numSge) {
        return basicBlocks(octowordsForSges(opcode, numSge));
    }

    /** Send-ring slots an {@code opcode} WQE with {@code inlineBytes} of inline data needs. */
    public static int slotsForInline(int opcode, int inlineBytes) {
        return basicBlocks(octowordsForInline(opcode, inlineBytes));
    }

    // ---- control segment ----

    /** Reads {@code opcode}: a {@link WrOpcode}. */
    public int opcode() {
        return (byte) OPCODE.get(ring, base) & 0xff;
    }

    /** Writes {@code opcode}: a {@link WrOpcode}. */
    public SendWqe opcode(int opcode) {
        OPCODE.set(ring, base, (byte) opcode);
        return this;
    }

    /** The {@code FLAG_*} bits. */
    public int flags() {
        return (byte) FLAGS.get(ring, base) & 0xff;
    }

    /** Writes the {@code FLAG_*} bits. */
    public SendWqe flags(int flags) {
        FLAGS.set(ring, base, (byte) flags);
        return this;
    }

    /** Low 16 bits of the WQE's free-running basic-block index, as the device reports it in {@code wqe_counter}. */
    public int wqeIndex() {
        return (short) WQE_INDEX.get(ring, base) & 0xffff;
    }

    /** Writes {@code wqe_index}: the WQE's free-running basic-block index (low 16 bits kept). */
    public SendWqe wqeIndex(int wqeIndex) {
        WQE_INDEX.set(ring, base, (short) wqeIndex);
        return this;
    }

    /** Reads {@code qpn}: the QP the WQE belongs to. */
    public int qpn() {
        return (int) QPN.get(ring, base);
    }

    /** Writes {@code qpn}: the QP the WQE belongs to. */
    public SendWqe qpn(int qpn) {
        QPN.set(ring, base, qpn);
        return this;
    }

    /** WQE size in 16-byte units, control segment included. */
    public int ds() {
        return (byte) DS.get(ring, base) & 0xff;
    }

    /** Writes {@code ds}: the WQE size in 16-byte units, control segment included. */
    public SendWqe ds(int ds) {
        DS.set(ring, base, (byte) ds);
        return this;
    }

    /** Reads {@code imm_data}: immediate data of the _WITH_IMM opcodes. */
    public int immData() {
        return (int) IMM_DATA.get(ring, base);
    }

    /** Writes {@code imm_data}: immediate data of the _WITH_IMM opcodes. */
    public SendWqe immData(int immData) {
        IMM_DATA.set(ring, base, immData);
        return this;
    }

    /** Reads {@code wr_id}: returned in the WQE's CQE. */
    public long wrId() {
        return (long) WR_ID.get(ring, base);
    }

    /** Writes {@code wr_id}: returned in the WQE's CQE. */
    public SendWqe wrId(long wrId) {
        WR_ID.set(ring, base, wrId);
        return this;
    }

    /** The rkey a SEND_WITH_INV invalidates at the responder. */
    public int invalidateRkey() {
        return (int) INVALIDATE_RKEY.get(ring, base);
    }

    /** Writes the rkey a SEND_WITH_INV invalidates at the responder. */
    public SendWqe invalidateRkey(int rkey) {
        INVALIDATE_RKEY.set(ring, base, rkey);
        return this;
    }

    /**
     * Writes the whole control segment (its padding zeroed): on a little-endian host as four 8-byte
     * stores rather than eight field stores, the same bytes either way.
     */
    public SendWqe control(int opcode, int flags, int wqeIndex, int qpn, int ds, int immData, long wrId, int invalidateRkey) {
        if (LITTLE_ENDIAN) {
            CTRL_WORD.set(ring, base, (opcode & 0xffL) | (flags & 0xffL) << 8 | (wqeIndex & 0xffffL) << 16 | (long) qpn << 32);
            CTRL_WORD.set(ring, base + 8, (ds & 0xffL) | (long) immData << 32);
            CTRL_WORD.set(ring, base + 16, wrId);
            CTRL_WORD.set(ring, base + 24, invalidateRkey & 0xffff_ffffL);
            return this;
        }
        return opcode(opcode).flags(flags).wqeIndex(wqeIndex).qpn(qpn).ds(ds).immData(immData).wrId(wrId).invalidateRkey(invalidateRkey);
    }

    // ---- remote-address and atomic segments ----

    private static final long RADDR = CTRL_SEGMENT.byteSize();
    private static final long ATOMIC = RADDR + REMOTE_ADDRESS_SEGMENT.byteSize();

    /** Reads the remote-address segment's {@code remote_addr}. */
    public long remoteAddress() {
        return (long) REMOTE_ADDR.get(ring, ringOffset(RADDR));
    }

    /** Reads the remote-address segment's {@code rkey}. */
    public int rkey() {
        return (int) RKEY.get(ring, ringOffset(RADDR));
    }

    /** Writes the remote-address segment (present for RDMA and atomic opcodes). */
    public SendWqe remoteAddress(long remoteAddress, int rkey) {
        long o = ringOffset(RADDR);
        REMOTE_ADDR.set(ring, o, remoteAddress);
        RKEY.set(ring, o, rkey);
        return this;
    }

    /** Reads the atomic segment's swap value (compare-and-swap) or addend (fetch-and-add). */
    public long swapAdd() {
        return (long) SWAP_ADD.get(ring, ringOffset(ATOMIC));
    }

    /** Reads the atomic segment's compare value. */
    public long compare() {
        return (long) COMPARE.get(ring, ringOffset(ATOMIC));
    }

    /** Writes the atomic segment: the swap value (or the addend for fetch-and-add) and the compare value. */
    public SendWqe atomic(long swapAdd, long compare) {
        long o = ringOffset(ATOMIC);
        SWAP_ADD.set(ring, o, swapAdd);
        COMPARE.set(ring, o, compare);
        return this;
    }

    // ---- data segments ----

    private long sgeOffset(int i) {
        return ringOffset(payloadOffset(opcode()) + (long) i * DATA_SEGMENT.byteSize());
    }

    /**
     * Writes data segment {@code i}, placed after the segments the WQE's opcode (already written) carries.
     *
     * @throws IllegalArgumentException naming i, its value and {@link #maxSges(int)} of the opcode
     */
    public SendWqe sge(int i, int lkey, long addr, int length) {
        int opcode = opcode();
        int max = maxSges(opcode);
        if (i < 0 || i >= max) {
            throw new IllegalArgumentException("sge index i is " + i + ": opcode " + opcode
                    + " has data segments [0, " + (max - 1) + "]");
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

    // ---- inline segment ----

    /** The inline segment's byte count, as written (the device must bound it by {@link #maxInlineData(int)}). */
    public int inlineByteCount() {
        return (int) INLINE_BYTE_COUNT.get(ring, ringOffset(payloadOffset(opcode())));
    }

    /**
     * Writes the inline segment: its byte count and {@code length} bytes from {@code src} at
     * {@code srcOffset}, after the segments the WQE's opcode (already written) carries.
     *
     * @throws IllegalArgumentException naming length, its value and {@link #maxInlineData(int)} of the opcode
     */
    public SendWqe inlineData(MemorySegment src, long srcOffset, int length) {
        int opcode = opcode();
        int max = maxInlineData(opcode);
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("inline length is " + length + ": opcode " + opcode
                    + " takes [0, " + max + "] bytes inline");
        }
        return inlineDataAt(payloadOffset(opcode), src, srcOffset, length);
    }

    /**
     * The poster's form of {@link #inlineData}: the caller passes the opcode's
     * {@link #payloadOffset} instead of having it re-read from the WQE it has just written, and
     * this checks only that the inline segment ends inside the largest WQE.
     *
     * @throws IllegalArgumentException naming length, its value and the limit at that payload offset
     */
    public SendWqe inlineDataAt(int payloadOffset, MemorySegment src, long srcOffset, int length) {
        int max = MAX_WQE_SIZE - payloadOffset - (int) INLINE_DATA_OFFSET;
        if (length < 0 || length > max || payloadOffset < CTRL_BYTES) {
            throw new IllegalArgumentException("inline length is " + length + " at payload offset " + payloadOffset
                    + ": a WQE takes [0, " + max + "] bytes inline there");
        }
        long header = ringOffset(payloadOffset);
        INLINE_BYTE_COUNT.set(ring, header, length);
        copyWrapping(src, srcOffset, true, (header + INLINE_DATA_OFFSET) & ringMask, length);
        return this;
    }

    /**
     * Copies {@code length} bytes of the inline data into {@code dst} at {@code dstOffset}. The
     * length is bounded by what this WQE's opcode can carry inline ({@link #maxInlineData}), so a
     * garbage byte count never reads into the following WQEs.
     *
     * @throws IllegalArgumentException naming length, its value and the opcode's limit
     */
    public void copyInlineData(MemorySegment dst, long dstOffset, int length) {
        int opcode = opcode();
        int max = maxInlineData(opcode);
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("inline length is " + length + ": opcode " + opcode
                    + " carries [0, " + max + "] bytes inline");
        }
        long data = (ringOffset(payloadOffset(opcode)) + INLINE_DATA_OFFSET) & ringMask;
        copyWrapping(dst, dstOffset, false, data, length);
    }

    private void copyWrapping(MemorySegment other, long otherOffset, boolean intoRing, long ringOffset, int length) {
        long done = 0;
        long position = ringOffset;
        while (done < length) {
            long chunk = Math.min(length - done, ring.byteSize() - position);
            if (intoRing) {
                MemorySegment.copy(other, otherOffset + done, ring, position, chunk);
            } else {
                MemorySegment.copy(ring, position, other, otherOffset + done, chunk);
            }
            done += chunk;
            position = 0;
        }
    }

    private static VarHandle ctrl(String name) {
        return handle(CTRL_SEGMENT, name);
    }

    static VarHandle handle(StructLayout layout, String name) {
        return layout.varHandle(groupElement(name)).withInvokeExactBehavior();
    }
}

/** A line pair of padding, and a filler for the header's gap, before SendWqe's fields. */
abstract class SendWqePadHead {
    int f0;
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** SendWqe's fields, written by the one thread that uses the instance. */
abstract class SendWqeFields extends SendWqePadHead {
    final MemorySegment ring;
    final long ringMask;
    final int blockMask;
    long base;

    SendWqeFields(MemorySegment ring, long ringMask, int blockMask) {
        this.ring = ring;
        this.ringMask = ringMask;
        this.blockMask = blockMask;
    }
}

/** A line pair of padding after SendWqe's fields. */
abstract class SendWqePadTail extends SendWqeFields {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    SendWqePadTail(MemorySegment ring, long ringMask, int blockMask) {
        super(ring, ringMask, blockMask);
    }
}
