package dev.qpair.rings.nvme;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Sizes and byte offsets from the NVMe base specification, and the bit packing of CDW0 and DW3. */
class NvmeLayoutTest {

    @Test
    void sqeFieldsSitAtTheSpecOffsets() {
        assertEquals(64, NvmeSqe.LAYOUT.byteSize());
        assertEquals(0, off("opcode"));
        assertEquals(1, off("flags"));
        assertEquals(2, off("cid"));
        assertEquals(4, off("nsid"));
        assertEquals(16, off("mptr"));
        assertEquals(24, NvmeSqe.LAYOUT.byteOffset(groupElement("dptr"), groupElement("prp"), groupElement("prp1")));
        assertEquals(32, NvmeSqe.LAYOUT.byteOffset(groupElement("dptr"), groupElement("prp"), groupElement("prp2")));
        assertEquals(24, NvmeSqe.LAYOUT.byteOffset(groupElement("dptr"), groupElement("sgl1"), groupElement("address")));
        assertEquals(32, NvmeSqe.LAYOUT.byteOffset(groupElement("dptr"), groupElement("sgl1"), groupElement("length")));
        assertEquals(39, NvmeSqe.LAYOUT.byteOffset(groupElement("dptr"), groupElement("sgl1"), groupElement("sglIdentifier")));
        assertEquals(16, NvmeSqe.SGL_DESCRIPTOR.byteSize());
        assertEquals(40, off("cdw10"));
        assertEquals(60, off("cdw15"));
    }

    @Test
    void writeFillsEveryFieldAndZeroesTheRest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(128, 64);
            q.fill((byte) 0x5A);
            NvmeSqe.write(q, 64, 0x02, 0xBEEF, -2, 0x1122334455667788L, -7L, 0x80000001, -1, 0x4000_0007, 0x1234);
            assertEquals(0x02, NvmeSqe.opcode(q, 64));
            assertEquals(0, NvmeSqe.flags(q, 64));
            assertEquals(0xBEEF, NvmeSqe.cid(q, 64));
            assertEquals(-2, NvmeSqe.nsid(q, 64));
            assertEquals(0L, q.get(JAVA_LONG, 64 + 8));
            assertEquals(0L, NvmeSqe.mptr(q, 64));
            assertEquals(0x1122334455667788L, NvmeSqe.prp1(q, 64));
            assertEquals(-7L, NvmeSqe.prp2(q, 64));
            assertEquals(0x80000001, NvmeSqe.cdw10(q, 64));
            assertEquals(-1, NvmeSqe.cdw11(q, 64));
            assertEquals(0x4000_0007, NvmeSqe.cdw12(q, 64));
            assertEquals(0x1234, NvmeSqe.cdw13(q, 64));
            assertEquals(0, NvmeSqe.cdw14(q, 64));
            assertEquals(0, NvmeSqe.cdw15(q, 64));
            assertEquals((byte) 0x5A, q.get(JAVA_BYTE, 63), "the previous entry is untouched");
        }
    }

    @Test
    void cqeFieldsSitAtTheSpecOffsets() {
        assertEquals(16, NvmeCqe.LAYOUT.byteSize());
        assertEquals(8, NvmeCqe.LAYOUT.byteOffset(groupElement("sqhd")));
        assertEquals(10, NvmeCqe.LAYOUT.byteOffset(groupElement("sqid")));
        assertEquals(12, NvmeCqe.LAYOUT.byteOffset(groupElement("cid")));
        assertEquals(14, NvmeCqe.LAYOUT.byteOffset(groupElement("status")));
    }

    @Test
    void cdw0PacksOpcodeFusePsdtAndCidAsTheSpecSays() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(2 * 64, 64);
            long e = NvmeSqe.offset(1);
            NvmeSqe.opcode(q, e, 0x02);
            NvmeSqe.fusePsdt(q, e, 1, NvmeSqe.PSDT_SGL_MPTR_SGL);
            NvmeSqe.cid(q, e, 0xBEEF);
            int cdw0 = q.get(JAVA_INT, e);
            assertEquals(0x02, cdw0 & 0xFF);
            assertEquals(1, (cdw0 >>> 8) & 3, "FUSE is CDW0 bits 9:8");
            assertEquals(2, (cdw0 >>> 14) & 3, "PSDT is CDW0 bits 15:14");
            assertEquals(0xBEEF, cdw0 >>> 16, "CID is CDW0 bits 31:16");
            assertEquals(1, NvmeSqe.fuse(q, e));
            assertEquals(2, NvmeSqe.psdt(q, e));
            assertEquals(0xBEEF, NvmeSqe.cid(q, e));
            NvmeSqe.sgl1(q, e, 0x1234_5678_9000L, 4096, NvmeSqe.SGL_TYPE_LAST_SEGMENT);
            assertEquals(0x30, Byte.toUnsignedInt(q.get(JAVA_BYTE, e + 39)));
            assertEquals(4096, q.get(JAVA_INT, e + 32));
            NvmeSqe.clear(q, e);
            assertEquals(0L, q.get(JAVA_LONG, e));
            assertEquals(0L, q.get(JAVA_LONG, e + 56));
        }
    }

    @Test
    void cqeHighWordPutsThePhaseInBit16OfDw3() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(16, 16);
            int status = NvmeCqe.status(1, 0x02, true);
            q.set(JAVA_LONG, 8, NvmeCqe.high(7, 3, 0x1234, status, 1));
            assertEquals(7, NvmeCqe.sqhd(q, 0));
            assertEquals(3, NvmeCqe.sqid(q, 0));
            assertEquals(0x1234, NvmeCqe.cid(q, 0));
            int dw3 = q.get(JAVA_INT, 12);
            assertEquals(1, (dw3 >>> 16) & 1, "phase tag is DW3 bit 16");
            assertEquals(0x02, (dw3 >>> 17) & 0xFF, "SC is DW3 bits 24:17");
            assertEquals(1, (dw3 >>> 25) & 7, "SCT is DW3 bits 27:25");
            assertEquals(1, dw3 >>> 31, "DNR is DW3 bit 31");
            long high = q.get(JAVA_LONG, 8);
            assertEquals(status, NvmeCqe.statusOf(high));
            assertEquals(1, NvmeCqe.phaseOf(high));
            assertTrue(NvmeCqe.dnr(status));
            assertFalse(NvmeCqe.more(status));
        }
    }

    @Test
    void queueMathWrapsAtTheSizeNotAPowerOfTwo() {
        assertEquals(0, NvmeQueues.next(4, 5));
        assertTrue(NvmeQueues.isFull(0, 4, 5));
        assertFalse(NvmeQueues.isFull(0, 3, 5));
        assertEquals(4, NvmeQueues.used(2, 1, 5));
        assertEquals(0, NvmeQueues.phaseAfter(4, 5, 1));
        assertEquals(1, NvmeQueues.phaseAfter(3, 5, 1));
        assertEquals(0x1000 + 3 * 4, NvmeQueues.cqHeadDoorbell(1, 0));
        assertEquals(0x1000 + 4 * 16, NvmeQueues.sqTailDoorbell(2, 2));
    }

    @Test
    void needEventFiresWhenTheIndexPassesEventIdxAcrossTheWrap() {
        assertTrue(NvmeQueues.needEvent(5, 6, 5, 16), "first move past an idle queue's EventIdx");
        assertFalse(NvmeQueues.needEvent(5, 7, 6, 16), "EventIdx already passed");
        assertTrue(NvmeQueues.needEvent(15, 1, 14, 16), "passes 15 while wrapping to 1");
        assertTrue(NvmeQueues.needEvent(0, 1, 14, 16), "passes 0 while wrapping");
        assertFalse(NvmeQueues.needEvent(2, 1, 14, 16), "2 lies outside [14, 1)");
        assertFalse(NvmeQueues.needEvent(3, 3, 3, 16), "no movement");
    }

    private static long off(String name) {
        return NvmeSqe.LAYOUT.byteOffset(groupElement(name));
    }
}
