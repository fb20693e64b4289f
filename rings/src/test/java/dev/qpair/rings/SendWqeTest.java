package dev.qpair.rings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendWqeTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment ring = arena.allocate(8 * 64, 4096);
    private final SendWqe wqe = new SendWqe(ring);
    private long sink;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void controlSegmentRoundTripsEveryField() {
        wqe.at(5).opcode(WrOpcode.SEND_WITH_INV).flags(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_FENCE | SendWqe.FLAG_INLINE)
                .wqeIndex(0xfffe).qpn(0xabcdef).ds(0xfe).immData(0xdeadbeef).wrId(0x0123_4567_89ab_cdefL)
                .invalidateRkey(0xcafe0001);
        SendWqe reader = new SendWqe(ring).at(5 + 8 * 1000);
        assertEquals(WrOpcode.SEND_WITH_INV, reader.opcode());
        assertEquals(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_FENCE | SendWqe.FLAG_INLINE, reader.flags());
        assertEquals(0xfffe, reader.wqeIndex());
        assertEquals(0xabcdef, reader.qpn());
        assertEquals(0xfe, reader.ds());
        assertEquals(0xdeadbeef, reader.immData());
        assertEquals(0x0123_4567_89ab_cdefL, reader.wrId());
        assertEquals(0xcafe0001, reader.invalidateRkey());
        assertEquals(5 * 64, reader.offset());
        assertEquals(0x0123_4567_89ab_cdefL, ring.get(JAVA_LONG, 5 * 64 + 16), "wr_id at control offset 16");
    }

    @Test
    void controlWritesTheSameBytesAsTheFieldStoresAndZeroesThePadding() {
        MemorySegment other = arena.allocate(8 * 64, 4096);
        ring.fill((byte) 0x5a);
        other.fill((byte) 0x5a);
        new SendWqe(other).at(3).opcode(0x81).flags(0xff).wqeIndex(0x8003).qpn(0xfedcba98).ds(0xfd).immData(0x8000_0001)
                .wrId(-2L).invalidateRkey(0x9000_0002);
        other.asSlice(3 * 64 + 9, 3).fill((byte) 0);
        other.asSlice(3 * 64 + 28, 4).fill((byte) 0);
        wqe.at(3).control(0x81, 0xff, 0x8003, 0xfedcba98, 0xfd, 0x8000_0001, -2L, 0x9000_0002);
        assertEquals(-1L, ring.mismatch(other));
        assertEquals(0x81, wqe.opcode());
        assertEquals(0x8003, wqe.wqeIndex());
        assertEquals(0xfedcba98, wqe.qpn());
        assertEquals(0x8000_0001, wqe.immData());
    }

    @Test
    void opcodeAndFlagsAreUnsignedBytes() {
        wqe.at(0).opcode(WrOpcode.NOP).flags(0xff);
        assertEquals(0xff, wqe.opcode());
        assertEquals(0xff, wqe.flags());
    }

    @Test
    void remoteAddressAtomicAndDataSegmentsRoundTrip() {
        wqe.at(2).opcode(WrOpcode.ATOMIC_CMP_AND_SWP).remoteAddress(0x7fff_0000_1000L, 0x1234_5601)
                .atomic(-1L, 0x8000_0000_0000_0000L).sge(0, 0x42, 0x1000_0008L, 8);
        assertEquals(0x7fff_0000_1000L, wqe.remoteAddress());
        assertEquals(0x1234_5601, wqe.rkey());
        assertEquals(-1L, wqe.swapAdd());
        assertEquals(0x8000_0000_0000_0000L, wqe.compare());
        assertEquals(0x42, wqe.sgeLkey(0));
        assertEquals(0x1000_0008L, wqe.sgeAddress(0));
        assertEquals(8, wqe.sgeLength(0));
        assertEquals(0x42, ring.get(JAVA_INT, 2 * 64 + 64 + 4), "atomic WQE's first SGE lkey at WQE offset 68");
    }

    @Test
    void dataSegmentsFollowTheOpcodesSegments() {
        wqe.at(0).opcode(WrOpcode.SEND).sge(0, 7, 0x10, 3);
        assertEquals(7, ring.get(JAVA_INT, 32 + 4));
        wqe.at(2).opcode(WrOpcode.RDMA_WRITE).sge(1, 9, 0x20, 5);
        assertEquals(9, ring.get(JAVA_INT, 128 + 48 + 16 + 4));
    }

    @Test
    void aWqeThatRunsPastTheRingsEndContinuesAtItsStart() {
        wqe.at(7).opcode(WrOpcode.SEND);
        for (int i = 0; i < 4; i++) {
            wqe.sge(i, 100 + i, 0x1000L * i, 10 + i);
        }
        assertEquals(102, ring.get(JAVA_INT, 4), "SGE 2 wrapped to ring offset 0");
        assertEquals(103, ring.get(JAVA_INT, 16 + 4), "SGE 3 at ring offset 16");
        for (int i = 0; i < 4; i++) {
            assertEquals(100 + i, wqe.sgeLkey(i));
            assertEquals(0x1000L * i, wqe.sgeAddress(i));
            assertEquals(10 + i, wqe.sgeLength(i));
        }
    }

    @Test
    void inlineDataRoundTripsAcrossTheRingsEnd() {
        byte[] payload = new byte[100];
        new Random(6).nextBytes(payload);
        MemorySegment src = arena.allocate(100);
        MemorySegment.copy(payload, 0, src, JAVA_BYTE, 0, 100);
        wqe.at(7).opcode(WrOpcode.RDMA_WRITE).inlineData(src, 0, 100);
        assertEquals(100, wqe.inlineByteCount());
        assertEquals(100, ring.get(JAVA_INT, 7 * 64 + 48), "inline header after ctrl and raddr");
        assertEquals(payload[12], ring.get(JAVA_BYTE, 0), "byte 12 is the first past the end (500 + 12 = 512)");
        MemorySegment dst = arena.allocate(100);
        wqe.copyInlineData(dst, 0, 100);
        assertArrayEquals(payload, dst.toArray(JAVA_BYTE));
    }

    @Test
    void inlineDataAtAGivenPayloadOffsetWritesWhatInlineDataWrites() {
        byte[] payload = new byte[100];
        new Random(7).nextBytes(payload);
        MemorySegment src = arena.allocate(100);
        MemorySegment.copy(payload, 0, src, JAVA_BYTE, 0, 100);
        wqe.at(7).opcode(WrOpcode.RDMA_WRITE).inlineData(src, 0, 100);
        byte[] viaOpcode = ring.toArray(JAVA_BYTE);
        ring.fill((byte) 0);
        wqe.at(7).opcode(WrOpcode.RDMA_WRITE).inlineDataAt(SendWqe.payloadOffset(WrOpcode.RDMA_WRITE), src, 0, 100);
        assertArrayEquals(viaOpcode, ring.toArray(JAVA_BYTE), "same bytes, across the ring's end too");

        int sendPayload = SendWqe.payloadOffset(WrOpcode.SEND);
        int max = SendWqe.maxInlineData(WrOpcode.SEND);
        MemorySegment big = arena.allocate(512);
        wqe.at(0).opcode(WrOpcode.SEND).inlineDataAt(sendPayload, big, 0, max);
        assertEquals(max, wqe.inlineByteCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wqe.inlineDataAt(sendPayload, big, 0, max + 1));
        assertTrue(e.getMessage().contains("length is " + (max + 1)) && e.getMessage().contains("[0, " + max + "]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> wqe.inlineDataAt(sendPayload, big, 0, -1));
        assertTrue(e.getMessage().contains("length is -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> wqe.inlineDataAt(0, big, 0, 8));
        assertTrue(e.getMessage().contains("payload offset 0"), e.getMessage());
    }

    @Test
    void slotsForSgesCountBasicBlocks() {
        assertEquals(2, SendWqe.octowordsForSges(WrOpcode.SEND, 0));
        assertEquals(1, SendWqe.slotsForSges(WrOpcode.SEND, 1));
        assertEquals(1, SendWqe.slotsForSges(WrOpcode.SEND, 2));
        assertEquals(2, SendWqe.slotsForSges(WrOpcode.SEND, 3));
        assertEquals(1, SendWqe.slotsForSges(WrOpcode.RDMA_WRITE, 1));
        assertEquals(2, SendWqe.slotsForSges(WrOpcode.RDMA_WRITE, 2));
        assertEquals(5, SendWqe.octowordsForSges(WrOpcode.ATOMIC_FETCH_AND_ADD, 1));
        assertEquals(2, SendWqe.slotsForSges(WrOpcode.ATOMIC_FETCH_AND_ADD, 1));
        assertEquals(30, SendWqe.maxSges(WrOpcode.SEND));
        assertEquals(29, SendWqe.maxSges(WrOpcode.RDMA_READ));
        assertEquals(28, SendWqe.maxSges(WrOpcode.ATOMIC_CMP_AND_SWP));
        assertEquals(8, SendWqe.slotsForSges(WrOpcode.SEND, 30));
        assertEquals(32, SendWqe.octowordsForSges(WrOpcode.SEND, 30));
    }

    @Test
    void slotsForInlineCountThePaddedInlineSegment() {
        assertEquals(3, SendWqe.octowordsForInline(WrOpcode.SEND, 12));
        assertEquals(1, SendWqe.slotsForInline(WrOpcode.SEND, 28));
        assertEquals(2, SendWqe.slotsForInline(WrOpcode.SEND, 29));
        assertEquals(1, SendWqe.slotsForInline(WrOpcode.RDMA_WRITE, 12));
        assertEquals(2, SendWqe.slotsForInline(WrOpcode.RDMA_WRITE, 13));
        assertEquals(8, SendWqe.octowordsForInline(WrOpcode.RDMA_WRITE, 64));
        assertEquals(2, SendWqe.slotsForInline(WrOpcode.RDMA_WRITE, 64));
        assertEquals(476, SendWqe.maxInlineData(WrOpcode.SEND));
        assertEquals(460, SendWqe.maxInlineData(WrOpcode.RDMA_WRITE_WITH_IMM));
        assertEquals(8, SendWqe.slotsForInline(WrOpcode.SEND, 476));
        assertEquals(0, SendWqe.maxInlineData(WrOpcode.RDMA_READ));
    }

    @Test
    void basicBlocksOfAnyDsByte() {
        assertEquals(0, SendWqe.basicBlocks(0));
        assertEquals(1, SendWqe.basicBlocks(4));
        assertEquals(2, SendWqe.basicBlocks(5));
        assertEquals(64, SendWqe.basicBlocks(255));
        assertEquals(64, SendWqe.basicBlocks(-1), "garbage ds is read as an unsigned byte");
    }

    @Test
    void sizingRejectsCountsPastTheLimitNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SendWqe.slotsForSges(WrOpcode.SEND, 31));
        assertTrue(e.getMessage().contains("numSge is 31") && e.getMessage().contains("[0, 30]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SendWqe.slotsForSges(WrOpcode.SEND, -1));
        assertTrue(e.getMessage().contains("numSge is -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SendWqe.slotsForInline(WrOpcode.RDMA_WRITE, 461));
        assertTrue(e.getMessage().contains("inlineBytes is 461") && e.getMessage().contains("[0, 460]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SendWqe.slotsForInline(WrOpcode.RDMA_READ, 1));
        assertTrue(e.getMessage().contains("[0, 0]"), e.getMessage());
    }

    @Test
    void writersRejectSegmentIndicesPastTheLimit() {
        wqe.at(0).opcode(WrOpcode.RDMA_WRITE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wqe.sge(29, 1, 2, 3));
        assertTrue(e.getMessage().contains("i is 29") && e.getMessage().contains("[0, 28]"), e.getMessage());
        MemorySegment src = arena.allocate(512);
        e = assertThrows(IllegalArgumentException.class, () -> wqe.inlineData(src, 0, 461));
        assertTrue(e.getMessage().contains("length is 461") && e.getMessage().contains("[0, 460]"), e.getMessage());
    }

    @Test
    void ringsMustBeAPowerOfTwoOfBasicBlocks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SendWqe(arena.allocate(192, 64)));
        assertTrue(e.getMessage().contains("size is 192"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SendWqe(arena.allocate(256, 64).asSlice(32, 128)));
        assertTrue(e.getMessage().contains("address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SendWqe(arena.allocate(32, 64)));
        assertTrue(e.getMessage().contains("size is 32"), e.getMessage());
    }

    @Test
    void readersNeverThrowOnGarbage() {
        Random random = new Random(42);
        byte[] garbage = new byte[(int) ring.byteSize()];
        MemorySegment dst = arena.allocate(SendWqe.MAX_WQE_SIZE);
        for (int round = 0; round < 200; round++) {
            random.nextBytes(garbage);
            MemorySegment.copy(garbage, 0, ring, JAVA_BYTE, 0, garbage.length);
            SendWqe r = wqe.at(random.nextInt());
            int i = random.nextInt();
            sink += r.opcode() + r.flags() + r.wqeIndex() + r.qpn() + r.ds() + r.immData() + r.wrId()
                    + r.invalidateRkey() + r.remoteAddress() + r.rkey() + r.swapAdd() + r.compare()
                    + r.sgeLkey(i) + r.sgeAddress(i) + r.sgeLength(i) + r.inlineByteCount()
                    + SendWqe.basicBlocks(r.ds()) + SendWqe.payloadOffset(r.opcode());
            r.copyInlineData(dst, 0, Math.floorMod(r.inlineByteCount(), SendWqe.maxInlineData(r.opcode()) + 1));
        }
    }

    @Test
    void copyingMoreInlineDataThanTheOpcodeCarriesIsRefused() {
        SendWqe w = wqe.at(0).opcode(WrOpcode.SEND);
        int max = SendWqe.maxInlineData(WrOpcode.SEND);
        MemorySegment dst = arena.allocate(SendWqe.MAX_WQE_SIZE);
        w.copyInlineData(dst, 0, max);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.copyInlineData(dst, 0, max + 1));
        assertTrue(e.getMessage().contains(String.valueOf(max + 1)) && e.getMessage().contains(String.valueOf(max)),
                e.getMessage());
    }
}
