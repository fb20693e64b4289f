package dev.qpair.rings;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * A completion queue entry, 64 or 128 bytes, and the flyweight that reads and writes one in place.
 *
 * <pre>
 *   offset  size  field
 *   0       8     wr_id        the WR's wr_id (copied from the send WQE or receive WQE)
 *   8       4     byte_len     bytes transferred (receives, RDMA READ, atomics)
 *   12      4     imm_data     immediate data, or the invalidated rkey (wc_flags says which)
 *   16      4     qpn          the local QP the completion belongs to
 *   20      4     src_qp       the remote QP (receives)
 *   24      2     wqe_counter  low 16 bits of the completed WQE's index
 *   26      1     opcode       a {@link WcOpcode}
 *   27      1     status       a {@link WcStatus}
 *   28      1     wc_flags     {@code WC_FLAG_*}
 *   29      1     vendor_err   device-specific detail of an error status
 *   30      1     inline_len   payload bytes scattered into this CQE (0 when the payload went to the receive buffer)
 *   31      1     owner        bit 0: the owner bit; written last, with release
 *   32      32    inline_data  a small receive payload, scattered here instead of to the receive buffer
 * </pre>
 * A 128-byte CQE ({@link #LARGE_LAYOUT}) is the same with 96 bytes of {@code inline_data}, so a
 * 64-byte payload reaches the poller in the two lines the device wrote anyway (mlx5 scatters up to
 * 64 bytes into its 128-byte CQEs for the same reason). A CQ uses one size for all its CQEs.
 * All fields are in native byte order. The owner bit convention is {@link RingMath#ownerBit}; the
 * hand-off protocol is {@link CqProducer} and {@link CqConsumer}. The flyweight's accessors are
 * plain loads and stores, except {@link #ownerOnce()} and {@link #ownerRelease(int)}, which name their
 * ordering. Readers never throw on garbage values; nothing allocates.
 */
public final class Cqe {

    /** Size of a CQE. */
    public static final int SIZE = 64;
    /** Size of a large CQE. */
    public static final int LARGE_SIZE = 128;
    /** The most payload bytes a 64-byte CQE carries inline. */
    public static final int MAX_INLINE_DATA = 32;
    /** The most payload bytes a 128-byte CQE carries inline. */
    public static final int LARGE_MAX_INLINE_DATA = 96;

    /** {@code wc_flags}: the payload starts with a GRH (IBV_WC_GRH). */
    public static final int WC_FLAG_GRH = 1;
    /** {@code wc_flags}: {@code imm_data} holds immediate data (IBV_WC_WITH_IMM). */
    public static final int WC_FLAG_WITH_IMM = 1 << 1;
    /** {@code wc_flags}: {@code imm_data} holds the rkey a SEND_WITH_INV invalidated (IBV_WC_WITH_INV). */
    public static final int WC_FLAG_WITH_INV = 1 << 3;
    /** {@code wc_flags}: the sender set the solicited-event bit. */
    public static final int WC_FLAG_SOLICITED = 1 << 6;
    /** {@code wc_flags}: the payload is in {@code inline_data}, {@code inline_len} bytes. */
    public static final int WC_FLAG_INLINE_SCATTER = 1 << 7;

    /** The 64-byte CQE. */
    public static final StructLayout LAYOUT = layout(MAX_INLINE_DATA, "cqe64");
    /** The 128-byte CQE: the same fields, more inline data. */
    public static final StructLayout LARGE_LAYOUT = layout(LARGE_MAX_INLINE_DATA, "cqe128");

    private static StructLayout layout(int inlineBytes, String name) {
        return structLayout(
            JAVA_LONG.withName("wr_id"),
            JAVA_INT.withName("byte_len"),
            JAVA_INT.withName("imm_data"),
            JAVA_INT.withName("qpn"),
            JAVA_INT.withName("src_qp"),
            JAVA_SHORT.withName("wqe_counter"),
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("status"),
            JAVA_BYTE.withName("wc_flags"),
            JAVA_BYTE.withName("vendor_err"),
            JAVA_BYTE.withName("inline_len"),
            JAVA_BYTE.withName("owner"),
            sequenceLayout(inlineBytes, JAVA_BYTE).withName("inline_data")).withName(name);
    }

    /** Byte offset of the owner byte. */
    public static final long OWNER_OFFSET = LAYOUT.byteOffset(groupElement("owner"));
    /** Byte offset of the inline payload. */
    public static final long INLINE_DATA_OFFSET = LAYOUT.byteOffset(groupElement("inline_data"));

    private static final VarHandle WR_ID = SendWqe.handle(LAYOUT, "wr_id");
    private static final VarHandle BYTE_LEN = SendWqe.handle(LAYOUT, "byte_len");
    private static final VarHandle IMM_DATA = SendWqe.handle(LAYOUT, "imm_data");
    private static final VarHandle QPN = SendWqe.handle(LAYOUT, "qpn");
    private static final VarHandle SRC_QP = SendWqe.handle(LAYOUT, "src_qp");
    private static final VarHandle WQE_COUNTER = SendWqe.handle(LAYOUT, "wqe_counter");
    private static final VarHandle OPCODE = SendWqe.handle(LAYOUT, "opcode");
    private static final VarHandle STATUS = SendWqe.handle(LAYOUT, "status");
    private static final VarHandle WC_FLAGS = SendWqe.handle(LAYOUT, "wc_flags");
    private static final VarHandle VENDOR_ERR = SendWqe.handle(LAYOUT, "vendor_err");
    private static final VarHandle INLINE_LEN = SendWqe.handle(LAYOUT, "inline_len");
    private static final VarHandle OWNER = SendWqe.handle(LAYOUT, "owner");

    /** Plain 8-byte accesses at an 8-byte aligned offset (the header's words), and the release store of the last one. */
    private static final VarHandle WORD = JAVA_LONG.varHandle();
    private static final boolean LITTLE = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    /** Byte offset of the header's last 8 bytes: wqe_counter through owner. */
    private static final long TAIL_OFFSET = LAYOUT.byteOffset(groupElement("wqe_counter"));

    private final int maxInlineData;
    private MemorySegment entries;
    private long base;

    /** A flyweight for 64-byte CQEs. */
    public Cqe() {
        this(SIZE);
    }

    /**
     * A flyweight for CQEs of {@code cqeSize} bytes.
     *
     * @throws IllegalArgumentException naming cqeSize, its value and the two sizes allowed
     */
    public Cqe(int cqeSize) {
        this.maxInlineData = maxInlineData(checkSize(cqeSize));
    }

    static int checkSize(int cqeSize) {
        if (cqeSize != SIZE && cqeSize != LARGE_SIZE) {
            throw new IllegalArgumentException("cqeSize is " + cqeSize + ": it must be " + SIZE + " or " + LARGE_SIZE);
        }
        return cqeSize;
    }

    /** The most payload bytes a CQE of {@code cqeSize} ({@link #SIZE} or {@link #LARGE_SIZE}) carries inline. */
    public static int maxInlineData(int cqeSize) {
        return checkSize(cqeSize) - (int) INLINE_DATA_OFFSET;
    }

    /** The most payload bytes this flyweight's CQEs carry inline. */
    public int maxInlineData() {
        return maxInlineData;
    }

    /** Positions the flyweight on the CQE at byte {@code offset} of {@code entries}. */
    public Cqe at(MemorySegment entries, long offset) {
        this.entries = entries;
        this.base = offset;
        return this;
    }

    /** Byte offset of the current CQE in its segment. */
    public long offset() {
        return base;
    }

    /** Reads {@code wr_id} of the CQE at {@code offset} of {@code entries}: the completed WR's wr_id. */
    public static long wrIdAt(MemorySegment entries, long offset) {
        return (long) WR_ID.get(entries, offset);
    }

    /** Reads {@code wr_id}: the completed WR's wr_id. */
    public long wrId() {
        return wrIdAt(entries, base);
    }

    /** Writes {@code wr_id}: the completed WR's wr_id. */
    public Cqe wrId(long wrId) {
        WR_ID.set(entries, base, wrId);
        return this;
    }

    /** Reads {@code byte_len} of the CQE at {@code offset} of {@code entries}: bytes transferred. */
    public static int byteLenAt(MemorySegment entries, long offset) {
        return (int) BYTE_LEN.get(entries, offset);
    }

    /** Reads {@code byte_len}: bytes transferred. */
    public int byteLen() {
        return byteLenAt(entries, base);
    }

    /** Writes {@code byte_len}: bytes transferred. */
    public Cqe byteLen(int byteLen) {
        BYTE_LEN.set(entries, base, byteLen);
        return this;
    }

    /** Reads {@code imm_data} of the CQE at {@code offset} of {@code entries}: immediate data, or the invalidated rkey. */
    public static int immDataAt(MemorySegment entries, long offset) {
        return (int) IMM_DATA.get(entries, offset);
    }

    /** Reads {@code imm_data}: immediate data, or the invalidated rkey. */
    public int immData() {
        return immDataAt(entries, base);
    }

    /** Writes {@code imm_data}: immediate data, or the invalidated rkey. */
    public Cqe immData(int immData) {
        IMM_DATA.set(entries, base, immData);
        return this;
    }

    /** Reads {@code qpn} of the CQE at {@code offset} of {@code entries}: the local QP of the completion. */
    public static int qpnAt(MemorySegment entries, long offset) {
        return (int) QPN.get(entries, offset);
    }

    /** Reads {@code qpn}: the local QP of the completion. */
    public int qpn() {
        return qpnAt(entries, base);
    }

    /** Writes {@code qpn}: the local QP of the completion. */
    public Cqe qpn(int qpn) {
        QPN.set(entries, base, qpn);
        return this;
    }

    /** Reads {@code src_qp} of the CQE at {@code offset} of {@code entries}: the remote QP. */
    public static int srcQpAt(MemorySegment entries, long offset) {
        return (int) SRC_QP.get(entries, offset);
    }

    /** Reads {@code src_qp}: the remote QP. */
    public int srcQp() {
        return srcQpAt(entries, base);
    }

    /** Writes {@code src_qp}: the remote QP. */
    public Cqe srcQp(int srcQp) {
        SRC_QP.set(entries, base, srcQp);
        return this;
    }

    /** Reads {@code wqe_counter} of the CQE at {@code offset} of {@code entries}: low 16 bits of the completed WQE's index. */
    public static int wqeCounterAt(MemorySegment entries, long offset) {
        return (short) WQE_COUNTER.get(entries, offset) & 0xffff;
    }

    /** Reads {@code wqe_counter}: low 16 bits of the completed WQE's index. */
    public int wqeCounter() {
        return wqeCounterAt(entries, base);
    }

    /** Writes {@code wqe_counter}: low 16 bits of the completed WQE's index. */
    public Cqe wqeCounter(int wqeCounter) {
        WQE_COUNTER.set(entries, base, (short) wqeCounter);
        return this;
    }

    /** Reads {@code opcode} of the CQE at {@code offset} of {@code entries}: a {@link WcOpcode}. */
    public static int opcodeAt(MemorySegment entries, long offset) {
        return (byte) OPCODE.get(entries, offset) & 0xff;
    }

    /** Reads {@code opcode}: a {@link WcOpcode}. */
    public int opcode() {
        return opcodeAt(entries, base);
    }

    /** Writes {@code opcode}: a {@link WcOpcode}. */
    public Cqe opcode(int opcode) {
        OPCODE.set(entries, base, (byte) opcode);
        return this;
    }

    /** Reads {@code status} of the CQE at {@code offset} of {@code entries}: a {@link WcStatus}. */
    public static int statusAt(MemorySegment entries, long offset) {
        return (byte) STATUS.get(entries, offset) & 0xff;
    }

    /** Reads {@code status}: a {@link WcStatus}. */
    public int status() {
        return statusAt(entries, base);
    }

    /** Writes {@code status}: a {@link WcStatus}. */
    public Cqe status(int status) {
        STATUS.set(entries, base, (byte) status);
        return this;
    }

    /** Reads {@code wc_flags} of the CQE at {@code offset} of {@code entries}: the {@code WC_FLAG_*} bits. */
    public static int wcFlagsAt(MemorySegment entries, long offset) {
        return (byte) WC_FLAGS.get(entries, offset) & 0xff;
    }

    /** Reads {@code wc_flags}: the {@code WC_FLAG_*} bits. */
    public int wcFlags() {
        return wcFlagsAt(entries, base);
    }

    /** Writes {@code wc_flags}: the {@code WC_FLAG_*} bits. */
    public Cqe wcFlags(int wcFlags) {
        WC_FLAGS.set(entries, base, (byte) wcFlags);
        return this;
    }

    /** Reads {@code vendor_err} of the CQE at {@code offset} of {@code entries}: device-specific error detail. */
    public static int vendorErrAt(MemorySegment entries, long offset) {
        return (byte) VENDOR_ERR.get(entries, offset) & 0xff;
    }

    /** Reads {@code vendor_err}: device-specific error detail. */
    public int vendorErr() {
        return vendorErrAt(entries, base);
    }

    /** Writes {@code vendor_err}: device-specific error detail. */
    public Cqe vendorErr(int vendorErr) {
        VENDOR_ERR.set(entries, base, (byte) vendorErr);
        return this;
    }

    /** Payload bytes in {@code inline_data}, as written (a reader bounds it by {@link #maxInlineData()}). */
    public int inlineLen() {
        return inlineLenAt(entries, base);
    }

    /** Reads {@code inline_len} of the CQE at {@code offset} of {@code entries}, as written. */
    public static int inlineLenAt(MemorySegment entries, long offset) {
        return (byte) INLINE_LEN.get(entries, offset) & 0xff;
    }

    /**
     * Writes every field of the CQE at {@code offset} of {@code entries} but the owner byte and
     * the inline payload, with plain stores (the device's write of a CQE body; the owner follows
     * with {@link #writeOwnerRelease}).
     */
    public static void writeBody(MemorySegment entries, long offset, long wrId, int byteLen, int immData, int qpn, int srcQp,
            int wqeCounter, int opcode, int status, int wcFlags, int inlineLen) {
        WR_ID.set(entries, offset, wrId);
        BYTE_LEN.set(entries, offset, byteLen);
        IMM_DATA.set(entries, offset, immData);
        QPN.set(entries, offset, qpn);
        SRC_QP.set(entries, offset, srcQp);
        WQE_COUNTER.set(entries, offset, (short) wqeCounter);
        OPCODE.set(entries, offset, (byte) opcode);
        STATUS.set(entries, offset, (byte) status);
        WC_FLAGS.set(entries, offset, (byte) wcFlags);
        VENDOR_ERR.set(entries, offset, (byte) 0);
        INLINE_LEN.set(entries, offset, (byte) inlineLen);
    }

    /**
     * Writes the whole 32-byte header of the CQE at {@code offset} of {@code entries} in four 8-byte
     * stores, the last of which (wqe_counter to owner) is a release store: every earlier store, the
     * first three words and an inline payload included, is visible before the owner bit, which
     * lands in the same store as the fields beside it. {@code owner} is the current lap's
     * ({@link RingMath#ownerBit}); {@code vendor_err} is 0.
     */
    public static void writeRelease(MemorySegment entries, long offset, long wrId, int byteLen, int immData, int qpn, int srcQp,
            int wqeCounter, int opcode, int status, int wcFlags, int inlineLen, int owner) {
        WORD.set(entries, offset, wrId);
        WORD.set(entries, offset + 8, pair(byteLen, immData));
        WORD.set(entries, offset + 16, pair(qpn, srcQp));
        long tail = (LITTLE ? wqeCounter & 0xffffL : Short.reverseBytes((short) wqeCounter) & 0xffffL)
                | (opcode & 0xffL) << 16 | (status & 0xffL) << 24 | (wcFlags & 0xffL) << 32
                | (inlineLen & 0xffL) << 48 | (owner & 1L) << 56;
        WORD.setRelease(entries, offset + TAIL_OFFSET, LITTLE ? tail : Long.reverseBytes(tail)); // dma_wmb(): CQE body stores before the word that carries the owner bit
    }

    /** Two native-order ints as the 8 bytes they occupy, {@code first} at the lower address. */
    private static long pair(int first, int second) {
        return LITTLE ? (first & 0xffff_ffffL) | (long) second << 32 : (long) first << 32 | (second & 0xffff_ffffL);
    }

    /** Writes {@code status} of the CQE at {@code offset} of {@code entries} (a host that fails the scatter it finishes). */
    public static void writeStatus(MemorySegment entries, long offset, int status) {
        STATUS.set(entries, offset, (byte) status);
    }

    /**
     * Scatters {@code length} payload bytes from {@code src} at {@code srcOffset} into the CQE and
     * sets {@code inline_len}; the caller sets {@link #WC_FLAG_INLINE_SCATTER}.
     *
     * @throws IllegalArgumentException naming length, its value and {@link #maxInlineData()}
     */
    public Cqe inlineData(MemorySegment src, long srcOffset, int length) {
        checkInlineLength(length);
        MemorySegment.copy(src, srcOffset, entries, base + INLINE_DATA_OFFSET, length);
        INLINE_LEN.set(entries, base, (byte) length);
        return this;
    }

    /**
     * Copies {@code length} bytes of the inline payload into {@code dst} at {@code dstOffset}.
     *
     * @throws IllegalArgumentException naming length, its value and {@link #maxInlineData()}
     */
    public void copyInlineData(MemorySegment dst, long dstOffset, int length) {
        checkInlineLength(length);
        MemorySegment.copy(entries, base + INLINE_DATA_OFFSET, dst, dstOffset, length);
    }

    private void checkInlineLength(int length) {
        if (length < 0 || length > maxInlineData) {
            throw new IllegalArgumentException("inline length is " + length + ": a " + (maxInlineData + INLINE_DATA_OFFSET)
                    + "-byte CQE carries [0, " + maxInlineData + "] bytes inline");
        }
    }

    /** {@link #readOwnerOnce} of the current CQE. */
    public int ownerOnce() {
        return readOwnerOnce(entries, base);
    }

    /** {@link #writeOwnerRelease} of the current CQE. */
    public void ownerRelease(int owner) {
        writeOwnerRelease(entries, base, owner);
    }

    /**
     * {@code READ_ONCE()} of the owner bit of the CQE at {@code offset}: an untorn load, re-read on
     * every call, ordering nothing; follow it with {@code Barriers.dmaRmb()} before reading the body.
     */
    public static int readOwnerOnce(MemorySegment entries, long offset) {
        return (byte) OWNER.getOpaque(entries, offset) & 1; // READ_ONCE(): single untorn load of the owner byte
    }

    /**
     * Writes the owner bit of the CQE at {@code offset} with release ({@code dma_wmb()} then the
     * store): every earlier store, the CQE body's included, is visible before the owner bit.
     */
    public static void writeOwnerRelease(MemorySegment entries, long offset, int owner) {
        OWNER.setRelease(entries, offset, (byte) (owner & 1)); // dma_wmb(): CQE body stores before the owner store
    }
}
