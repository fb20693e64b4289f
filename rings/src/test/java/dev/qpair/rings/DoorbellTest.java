package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DoorbellTest {

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aMisalignedOrShortDoorbellRecordIsRefusedWithWhatItNeeds() {
        MemorySegment block = arena.allocate(512, 128);
        assertSame(block, DoorbellRecord.check(block));
        IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                () -> DoorbellRecord.check(block.asSlice(64, 256)));
        assertTrue(misaligned.getMessage().contains("not 128-byte aligned"), misaligned.getMessage());
        IllegalArgumentException shortRecord = assertThrows(IllegalArgumentException.class,
                () -> DoorbellRecord.check(block.asSlice(0, 192)));
        assertTrue(shortRecord.getMessage().contains("192 bytes") && shortRecord.getMessage().contains("256"),
                shortRecord.getMessage());
    }

    @Test
    void doorbellRecordKeepsTheTwoProducerIndicesApart() {
        MemorySegment record = DoorbellRecord.allocate(arena);
        assertEquals(0, record.address() % 128);
        DoorbellRecord.publishSendProducerRelease(record, -1);
        DoorbellRecord.publishRecvProducerRelease(record, 17);
        assertEquals(-1, DoorbellRecord.sendProducerAcquire(record));
        assertEquals(17, DoorbellRecord.recvProducerAcquire(record));
        assertEquals(-1, record.get(JAVA_INT, 128));
        assertEquals(17, record.get(JAVA_INT, 0));
    }

    @Test
    void doorbellValuesEncodeQpnProducerIndexAndBlueFlameBlocks() {
        long v = DoorbellPage.doorbellValue(0xffffff, -2, 4);
        assertEquals(0xffffff, DoorbellPage.qpnOf(v));
        assertEquals(-2, DoorbellPage.producerIndexOf(v));
        assertEquals(4, DoorbellPage.blueFlameBlocksOf(v));
        long w = DoorbellPage.doorbellValue(5, 7, 0);
        assertEquals(5, DoorbellPage.qpnOf(w));
        assertEquals(7, DoorbellPage.producerIndexOf(w));
        assertEquals(0, DoorbellPage.blueFlameBlocksOf(w));
        assertEquals(255, DoorbellPage.blueFlameBlocksOf(-1L), "decoders take any value");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DoorbellPage.doorbellValue(1 << 24, 0, 0));
        assertTrue(e.getMessage().contains("qpn is 16777216") && e.getMessage().contains("16777215"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DoorbellPage.doorbellValue(1, 0, 5));
        assertTrue(e.getMessage().contains("blueFlameBlocks is 5") && e.getMessage().contains("[0, 4]"), e.getMessage());
    }

    @Test
    void registerIndicesAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DoorbellPage.doorbellOffset(8));
        assertTrue(e.getMessage().contains("register is 8") && e.getMessage().contains("[0, 7]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DoorbellPage.blueFlameOffset(-1));
    }

    @Test
    void ringingWritesTheRegistersDoorbell() {
        MemorySegment page = DoorbellPage.allocate(arena);
        long v = DoorbellPage.doorbellValue(9, 100, 0);
        DoorbellPage.ring(page, 2, v);
        assertEquals(v, DoorbellPage.readDoorbell(page, 2));
        assertEquals(v, page.get(JAVA_LONG, 1024));
        assertEquals(0, DoorbellPage.readDoorbell(page, 1));
    }

    @Test
    void blueFlameCarriesTheWqeBlocksAcrossTheRingsEnd() {
        MemorySegment ring = arena.allocate(8 * 64, 4096);
        SendWqe wqe = new SendWqe(ring);
        MemorySegment src = arena.allocate(64);
        for (int i = 0; i < 64; i++) {
            src.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
        }
        int index = 15;  // slot 7, the ring's last block: the second block wraps to slot 0
        wqe.at(index).opcode(WrOpcode.RDMA_WRITE).flags(SendWqe.FLAG_INLINE | SendWqe.FLAG_SIGNALED).wqeIndex(index)
                .qpn(9).ds(SendWqe.octowordsForInline(WrOpcode.RDMA_WRITE, 64)).wrId(77)
                .remoteAddress(0x5000, 0x33).inlineData(src, 0, 64);
        int blocks = SendWqe.basicBlocks(wqe.ds());
        assertEquals(2, blocks);
        MemorySegment page = DoorbellPage.allocate(arena);
        long v = DoorbellPage.doorbellValue(9, index + blocks, blocks);
        DoorbellPage.ringBlueFlame(page, 3, wqe, blocks, v);

        long doorbell = DoorbellPage.readDoorbell(page, 3);
        assertEquals(v, doorbell);
        SendWqe copy = new SendWqe(DoorbellPage.blueFlame(page, 3)).at(0);
        assertEquals(WrOpcode.RDMA_WRITE, copy.opcode());
        assertEquals(index, copy.wqeIndex());
        assertEquals(DoorbellPage.qpnOf(doorbell), copy.qpn());
        assertEquals(77, copy.wrId());
        assertEquals(0x5000, copy.remoteAddress());
        assertEquals(64, copy.inlineByteCount());
        MemorySegment dst = arena.allocate(64);
        copy.copyInlineData(dst, 0, 64);
        assertEquals(-1, dst.mismatch(src), "inline bytes from both blocks arrived in the BlueFlame copy");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DoorbellPage.ringBlueFlame(page, 3, wqe, 1, v));
        assertTrue(e.getMessage().contains("carries 2") && e.getMessage().contains("blocks is 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DoorbellPage.ringBlueFlame(page, 3, wqe, 0, DoorbellPage.doorbellValue(9, 0, 0)));
        assertTrue(e.getMessage().contains("blueFlameBlocks is 0") && e.getMessage().contains("[1, 4]"), e.getMessage());
    }
}
