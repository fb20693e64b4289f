package dev.qpair.rings.nvme;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The 64-byte NVMe submission queue entry (base specification, "Common Command Format").
 *
 * <p>CDW0 holds the opcode (bits 7:0), FUSE (9:8), PSDT (15:14) and the CID (31:16). The data
 * pointer (bytes 24-39) is either PRP1 and PRP2 or the 16-byte SGL1 descriptor, selected by
 * PSDT. Accessors take the queue segment and the byte offset of the entry ({@link #offset}); all
 * fields are little-endian, which is the host byte order this library supports (x86-64, AArch64).
 * Nothing here allocates.
 */
public final class NvmeSqe {

    /** Entry size in bytes; CC.IOSQES = 6. */
    public static final int SIZE = 64;
    /** log2 of {@link #SIZE}, the value for CC.IOSQES and Identify SQES. */
    public static final int SIZE_SHIFT = 6;

    /** PSDT value: PRP1/PRP2 describe the data. */
    public static final int PSDT_PRP = 0;
    /** PSDT value: SGL1 describes the data, MPTR is a contiguous metadata buffer. */
    public static final int PSDT_SGL_MPTR_CONTIGUOUS = 1;
    /** PSDT value: SGL1 describes the data, MPTR points to an SGL segment. */
    public static final int PSDT_SGL_MPTR_SGL = 2;

    /** SGL descriptor type (byte 15 bits 7:4): data block. */
    public static final int SGL_TYPE_DATA_BLOCK = 0x0;
    /** SGL descriptor type: segment (points to a list of descriptors that ends in another segment). */
    public static final int SGL_TYPE_SEGMENT = 0x2;
    /** SGL descriptor type: last segment (points to the final list of descriptors). */
    public static final int SGL_TYPE_LAST_SEGMENT = 0x3;
    /** Size of one SGL descriptor. */
    public static final int SGL_DESCRIPTOR_SIZE = 16;

    /** The SGL descriptor layout: address, length, 3 reserved bytes, the SGL identifier (type 7:4, subtype 3:0). */
    public static final StructLayout SGL_DESCRIPTOR = MemoryLayout.structLayout(
            JAVA_LONG.withName("address"),
            JAVA_INT.withName("length"),
            MemoryLayout.paddingLayout(3),
            JAVA_BYTE.withName("sglIdentifier")).withName("sglDescriptor");

    /** The entry layout. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("cid"),
            JAVA_INT.withName("nsid"),
            JAVA_INT.withName("cdw2"),
            JAVA_INT.withName("cdw3"),
            JAVA_LONG.withName("mptr"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_LONG.withName("prp1"), JAVA_LONG.withName("prp2")).withName("prp"),
                    SGL_DESCRIPTOR.withName("sgl1")).withName("dptr"),
            JAVA_INT.withName("cdw10"),
            JAVA_INT.withName("cdw11"),
            JAVA_INT.withName("cdw12"),
            JAVA_INT.withName("cdw13"),
            JAVA_INT.withName("cdw14"),
            JAVA_INT.withName("cdw15")).withName("nvmeSqe");

    private static final VarHandle OPCODE = LAYOUT.varHandle(groupElement("opcode"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle CID = LAYOUT.varHandle(groupElement("cid"));
    private static final VarHandle NSID = LAYOUT.varHandle(groupElement("nsid"));
    private static final VarHandle MPTR = LAYOUT.varHandle(groupElement("mptr"));
    private static final VarHandle PRP1 = LAYOUT.varHandle(groupElement("dptr"), groupElement("prp"), groupElement("prp1"));
    private static final VarHandle PRP2 = LAYOUT.varHandle(groupElement("dptr"), groupElement("prp"), groupElement("prp2"));
    private static final VarHandle SGL1_ADDRESS = LAYOUT.varHandle(groupElement("dptr"), groupElement("sgl1"), groupElement("address"));
    private static final VarHandle SGL1_LENGTH = LAYOUT.varHandle(groupElement("dptr"), groupElement("sgl1"), groupElement("length"));
    private static final VarHandle SGL1_ID = LAYOUT.varHandle(groupElement("dptr"), groupElement("sgl1"), groupElement("sglIdentifier"));
    private static final VarHandle SGL_ADDRESS = SGL_DESCRIPTOR.varHandle(groupElement("address"));
    private static final VarHandle SGL_LENGTH = SGL_DESCRIPTOR.varHandle(groupElement("length"));
    private static final VarHandle SGL_ID = SGL_DESCRIPTOR.varHandle(groupElement("sglIdentifier"));
    private static final VarHandle CDW10 = LAYOUT.varHandle(groupElement("cdw10"));
    private static final VarHandle CDW11 = LAYOUT.varHandle(groupElement("cdw11"));
    private static final VarHandle CDW12 = LAYOUT.varHandle(groupElement("cdw12"));
    private static final VarHandle CDW13 = LAYOUT.varHandle(groupElement("cdw13"));
    private static final VarHandle CDW14 = LAYOUT.varHandle(groupElement("cdw14"));
    private static final VarHandle CDW15 = LAYOUT.varHandle(groupElement("cdw15"));

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("NVMe queue entries are little-endian; this host is " + ByteOrder.nativeOrder());
        }
    }

    private NvmeSqe() {
    }

    /** Byte offset of entry {@code index} in a submission queue. */
    public static long offset(int index) {
        return (long) index << SIZE_SHIFT;
    }

    public static int opcode(MemorySegment q, long e) { return Byte.toUnsignedInt((byte) OPCODE.get(q, e)); }
    public static void opcode(MemorySegment q, long e, int v) { OPCODE.set(q, e, (byte) v); }
    /** FUSE, CDW0 bits 9:8. */
    public static int fuse(MemorySegment q, long e) { return ((byte) FLAGS.get(q, e)) & 0x3; }
    /** PSDT, CDW0 bits 15:14. */
    public static int psdt(MemorySegment q, long e) { return (((byte) FLAGS.get(q, e)) >> 6) & 0x3; }
    /** Sets FUSE and PSDT together (CDW0 bits 15:8). */
    public static void fusePsdt(MemorySegment q, long e, int fuse, int psdt) { FLAGS.set(q, e, (byte) ((fuse & 3) | (psdt & 3) << 6)); }
    /** Raw CDW0 bits 15:8 (FUSE, reserved, PSDT). */
    public static int flags(MemorySegment q, long e) { return Byte.toUnsignedInt((byte) FLAGS.get(q, e)); }
    public static int cid(MemorySegment q, long e) { return Short.toUnsignedInt((short) CID.get(q, e)); }
    public static void cid(MemorySegment q, long e, int v) { CID.set(q, e, (short) v); }
    public static int nsid(MemorySegment q, long e) { return (int) NSID.get(q, e); }
    public static void nsid(MemorySegment q, long e, int v) { NSID.set(q, e, v); }
    public static long mptr(MemorySegment q, long e) { return (long) MPTR.get(q, e); }
    public static void mptr(MemorySegment q, long e, long v) { MPTR.set(q, e, v); }
    public static long prp1(MemorySegment q, long e) { return (long) PRP1.get(q, e); }
    public static void prp1(MemorySegment q, long e, long v) { PRP1.set(q, e, v); }
    public static long prp2(MemorySegment q, long e) { return (long) PRP2.get(q, e); }
    public static void prp2(MemorySegment q, long e, long v) { PRP2.set(q, e, v); }
    public static long sgl1Address(MemorySegment q, long e) { return (long) SGL1_ADDRESS.get(q, e); }
    public static int sgl1Length(MemorySegment q, long e) { return (int) SGL1_LENGTH.get(q, e); }
    public static int sgl1Identifier(MemorySegment q, long e) { return Byte.toUnsignedInt((byte) SGL1_ID.get(q, e)); }
    /** Writes SGL1 (the whole data pointer) as one descriptor of {@code type} with subtype 0. */
    public static void sgl1(MemorySegment q, long e, long address, int length, int type) {
        SGL1_ADDRESS.set(q, e, address);
        SGL1_LENGTH.set(q, e, length);
        SGL1_ID.set(q, e, (byte) (type << 4));
    }
    public static int cdw10(MemorySegment q, long e) { return (int) CDW10.get(q, e); }
    public static void cdw10(MemorySegment q, long e, int v) { CDW10.set(q, e, v); }
    public static int cdw11(MemorySegment q, long e) { return (int) CDW11.get(q, e); }
    public static void cdw11(MemorySegment q, long e, int v) { CDW11.set(q, e, v); }
    public static int cdw12(MemorySegment q, long e) { return (int) CDW12.get(q, e); }
    public static void cdw12(MemorySegment q, long e, int v) { CDW12.set(q, e, v); }
    public static int cdw13(MemorySegment q, long e) { return (int) CDW13.get(q, e); }
    public static void cdw13(MemorySegment q, long e, int v) { CDW13.set(q, e, v); }
    public static int cdw14(MemorySegment q, long e) { return (int) CDW14.get(q, e); }
    public static void cdw14(MemorySegment q, long e, int v) { CDW14.set(q, e, v); }
    public static int cdw15(MemorySegment q, long e) { return (int) CDW15.get(q, e); }
    public static void cdw15(MemorySegment q, long e, int v) { CDW15.set(q, e, v); }

    /** Zeroes the entry, so that reserved fields are 0 as the specification requires. */
    public static void clear(MemorySegment q, long e) {
        for (int i = 0; i < SIZE; i += Long.BYTES) {
            q.set(JAVA_LONG, e + i, 0L);
        }
    }

    /** CDW0-CDW1 in one 8-byte load: opcode in bits 7:0, FUSE/PSDT 15:8, CID 31:16, NSID 63:32. */
    public static long dw0dw1(MemorySegment q, long e) { return q.get(JAVA_LONG, e); }
    /** CDW10-CDW11 in one 8-byte load (for Read/Write: the SLBA). */
    public static long cdw10cdw11(MemorySegment q, long e) { return q.get(JAVA_LONG, e + 40); }

    /**
     * Writes a whole entry in eight 8-byte stores: opcode, CID, NSID, PRP1, PRP2 and CDW10-13 as
     * given; FUSE, PSDT, CDW2-3, MPTR and CDW14-15 zero.
     */
    public static void write(MemorySegment q, long e, int opcode, int cid, int nsid, long prp1, long prp2, int cdw10,
            int cdw11, int cdw12, int cdw13) {
        q.set(JAVA_LONG, e, (opcode & 0xFFL) | (cid & 0xFFFFL) << 16 | (long) nsid << 32);
        q.set(JAVA_LONG, e + 8, 0L);
        q.set(JAVA_LONG, e + 16, 0L);
        q.set(JAVA_LONG, e + 24, prp1);
        q.set(JAVA_LONG, e + 32, prp2);
        q.set(JAVA_LONG, e + 40, Integer.toUnsignedLong(cdw10) | (long) cdw11 << 32);
        q.set(JAVA_LONG, e + 48, Integer.toUnsignedLong(cdw12) | (long) cdw13 << 32);
        q.set(JAVA_LONG, e + 56, 0L);
    }

    /** SGL descriptor in a segment list: address. */
    public static long sglAddress(MemorySegment list, long d) { return (long) SGL_ADDRESS.get(list, d); }
    /** SGL descriptor in a segment list: length. */
    public static int sglLength(MemorySegment list, long d) { return (int) SGL_LENGTH.get(list, d); }
    /** SGL descriptor in a segment list: identifier (type 7:4, subtype 3:0). */
    public static int sglIdentifier(MemorySegment list, long d) { return Byte.toUnsignedInt((byte) SGL_ID.get(list, d)); }
    /** Writes an SGL descriptor in a segment list. */
    public static void sglDescriptor(MemorySegment list, long d, long address, int length, int type) {
        SGL_ADDRESS.set(list, d, address);
        SGL_LENGTH.set(list, d, length);
        SGL_ID.set(list, d, (byte) (type << 4));
    }
}
