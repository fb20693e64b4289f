package dev.qpair.rings.nvme;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The 16-byte NVMe completion queue entry: DW0 and DW1 (command specific), DW2 (SQHD 15:0, SQID
 * 31:16), DW3 (CID 15:0, phase tag bit 16, status field 31:17).
 *
 * <p>The status field, as the 16-bit word at byte 14 holds it: P (bit 0), SC (8:1), SCT (11:9),
 * CRD (13:12), M (14), DNR (15). A controller publishes an entry by writing the low 8 bytes, then
 * the high 8 bytes ({@link #high}) in one release store, so the phase tag changes last; a host
 * reads the high 8 bytes, checks the phase, then reads the rest. Nothing here allocates.
 */
public final class NvmeCqe {

    /** Entry size in bytes; CC.IOCQES = 4. */
    public static final int SIZE = 16;
    /** log2 of {@link #SIZE}. */
    public static final int SIZE_SHIFT = 4;
    /** Byte offset of the low 8 bytes (DW0, DW1). */
    public static final long LOW_OFFSET = 0;
    /** Byte offset of the high 8 bytes (DW2, DW3), the word that carries the phase tag. */
    public static final long HIGH_OFFSET = 8;

    /** The entry layout. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("dw0"),
            JAVA_INT.withName("dw1"),
            JAVA_SHORT.withName("sqhd"),
            JAVA_SHORT.withName("sqid"),
            JAVA_SHORT.withName("cid"),
            JAVA_SHORT.withName("status")).withName("nvmeCqe");

    private static final VarHandle DW0 = LAYOUT.varHandle(groupElement("dw0"));
    private static final VarHandle DW1 = LAYOUT.varHandle(groupElement("dw1"));
    private static final VarHandle SQHD = LAYOUT.varHandle(groupElement("sqhd"));
    private static final VarHandle SQID = LAYOUT.varHandle(groupElement("sqid"));
    private static final VarHandle CID = LAYOUT.varHandle(groupElement("cid"));
    private static final VarHandle STATUS = LAYOUT.varHandle(groupElement("status"));

    private NvmeCqe() {
    }

    /** Byte offset of entry {@code index} in a completion queue. */
    public static long offset(int index) {
        return (long) index << SIZE_SHIFT;
    }

    public static int dw0(MemorySegment q, long e) { return (int) DW0.get(q, e); }
    public static int dw1(MemorySegment q, long e) { return (int) DW1.get(q, e); }
    public static int sqhd(MemorySegment q, long e) { return Short.toUnsignedInt((short) SQHD.get(q, e)); }
    public static int sqid(MemorySegment q, long e) { return Short.toUnsignedInt((short) SQID.get(q, e)); }
    public static int cid(MemorySegment q, long e) { return Short.toUnsignedInt((short) CID.get(q, e)); }
    /** The 16-bit status word including the phase tag in bit 0. */
    public static int statusWord(MemorySegment q, long e) { return Short.toUnsignedInt((short) STATUS.get(q, e)); }

    /** The low 8 bytes as one word: DW0 in bits 31:0, DW1 in bits 63:32. */
    public static long low(int dw0, int dw1) {
        return Integer.toUnsignedLong(dw0) | (long) dw1 << 32;
    }

    /**
     * The high 8 bytes as one word: SQHD, SQID, CID and the status word with the phase tag in bit
     * 48, as the little-endian entry holds them.
     */
    public static long high(int sqhd, int sqid, int cid, int status, int phase) {
        return (sqhd & 0xFFFFL) | (sqid & 0xFFFFL) << 16 | (cid & 0xFFFFL) << 32
                | (long) (((status << 1) | (phase & 1)) & 0xFFFF) << 48;
    }

    /** SQHD from a high word. */
    public static int sqhdOf(long high) { return (int) (high & 0xFFFF); }
    /** SQID from a high word. */
    public static int sqidOf(long high) { return (int) (high >>> 16) & 0xFFFF; }
    /** CID from a high word. */
    public static int cidOf(long high) { return (int) (high >>> 32) & 0xFFFF; }
    /** Phase tag from a high word. */
    public static int phaseOf(long high) { return (int) (high >>> 48) & 1; }
    /** The 15-bit status field (SC, SCT, CRD, M, DNR; phase removed) from a high word. */
    public static int statusOf(long high) { return (int) (high >>> 49) & 0x7FFF; }

    /** Status field (no phase): SC, bits 7:0. */
    public static int sc(int status) { return status & 0xFF; }
    /** Status field (no phase): SCT, bits 10:8. */
    public static int sct(int status) { return (status >>> 8) & 0x7; }
    /** Status field (no phase): More, bit 13. */
    public static boolean more(int status) { return (status & (1 << 13)) != 0; }
    /** Status field (no phase): Do Not Retry, bit 14. */
    public static boolean dnr(int status) { return (status & (1 << 14)) != 0; }
    /** Builds a status field (no phase) from SCT, SC and DNR. */
    public static int status(int sct, int sc, boolean dnr) {
        return (sc & 0xFF) | (sct & 0x7) << 8 | (dnr ? 1 << 14 : 0);
    }
}
