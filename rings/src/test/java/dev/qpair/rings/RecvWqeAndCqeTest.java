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

class RecvWqeAndCqeTest {

    private final Arena arena = Arena.ofConfined();
    private long sink;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void strideFitsTheHeaderAndTheSgesRoundedToAPowerOfTwo() {
        assertEquals(32, RecvWqe.strideFor(1));
        assertEquals(64, RecvWqe.strideFor(2));
        assertEquals(64, RecvWqe.strideFor(3));
        assertEquals(128, RecvWqe.strideFor(4));
        assertEquals(512, RecvWqe.strideFor(31));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecvWqe.strideFor(32));
        assertTrue(e.getMessage().contains("maxSge is 32") && e.getMessage().contains("[1, 31]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RecvWqe(arena.allocate(1024, 64), 48));
        assertTrue(e.getMessage().contains("stride is 48") && e.getMessage().contains("[32, 512]"), e.getMessage());
    }

    @Test
    void receiveWqeRoundTripsEveryField() {
        MemorySegment ring = arena.allocate(4 * 64, 4096);
        RecvWqe w = new RecvWqe(ring, 64);
        assertEquals(3, w.maxSges());
        w.at(4 * 7 + 3).wrId(-2L).numSge(3).sge(0, 11, 0x1000, 100).sge(2, 13, 0x3000, 300);
        assertEquals(3 * 64, w.offset());
        RecvWqe r = new RecvWqe(ring, 64).at(3);
        assertEquals(-2L, r.wrId());
        assertEquals(3, r.numSge());
        assertEquals(11, r.sgeLkey(0));
        assertEquals(0x1000, r.sgeAddress(0));
        assertEquals(100, r.sgeLength(0));
        assertEquals(13, r.sgeLkey(2));
        assertEquals(0x3000, r.sgeAddress(2));
        assertEquals(300, r.sgeLength(2));
        assertEquals(13, ring.get(JAVA_INT, 3 * 64 + 16 + 2 * 16 + 4), "SGE 2's lkey after the 16-byte header");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.sge(3, 1, 2, 3));
        assertTrue(e.getMessage().contains("i is 3") && e.getMessage().contains("[0, 2]"), e.getMessage());
    }

    @Test
    void receiveReadersNeverThrowOnGarbage() {
        MemorySegment ring = arena.allocate(4 * 64, 4096);
        RecvWqe r = new RecvWqe(ring, 64);
        Random random = new Random(7);
        byte[] garbage = new byte[256];
        for (int round = 0; round < 200; round++) {
            random.nextBytes(garbage);
            MemorySegment.copy(garbage, 0, ring, JAVA_BYTE, 0, garbage.length);
            r.at(random.nextInt());
            int i = random.nextInt();
            sink += r.wrId() + r.numSge() + r.sgeLkey(i) + r.sgeAddress(i) + r.sgeLength(i);
        }
    }

    @Test
    void cqeRoundTripsEveryField() {
        MemorySegment entries = arena.allocate(4 * 64, 4096);
        Cqe w = new Cqe().at(entries, 128);
        w.wrId(0x1122_3344_5566_7788L).byteLen(-1).immData(0x0badf00d).qpn(0xffffff).srcQp(0x123456)
                .wqeCounter(0xffff).opcode(WcOpcode.RECV_RDMA_WITH_IMM).status(WcStatus.GENERAL_ERR)
                .wcFlags(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_INLINE_SCATTER).vendorErr(0xfe);
        w.ownerRelease(1);
        Cqe r = new Cqe().at(entries, 128);
        assertEquals(0x1122_3344_5566_7788L, r.wrId());
        assertEquals(-1, r.byteLen());
        assertEquals(0x0badf00d, r.immData());
        assertEquals(0xffffff, r.qpn());
        assertEquals(0x123456, r.srcQp());
        assertEquals(0xffff, r.wqeCounter());
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, r.opcode());
        assertEquals(WcStatus.GENERAL_ERR, r.status());
        assertEquals(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_INLINE_SCATTER, r.wcFlags());
        assertEquals(0xfe, r.vendorErr());
        assertEquals(1, r.ownerOnce());
        assertEquals(1, entries.get(JAVA_BYTE, 128 + 31));
        assertEquals(0x1122_3344_5566_7788L, entries.get(JAVA_LONG, 128));
        r.ownerRelease(0);
        assertEquals(0, Cqe.readOwnerOnce(entries, 128));
        assertEquals(0xfe, r.vendorErr(), "the owner store leaves its neighbours alone");
    }

    @Test
    void ownerReadsOnlyBitZero() {
        MemorySegment entries = arena.allocate(64, 64);
        entries.set(JAVA_BYTE, Cqe.OWNER_OFFSET, (byte) 0xfe);
        assertEquals(0, Cqe.readOwnerOnce(entries, 0));
        entries.set(JAVA_BYTE, Cqe.OWNER_OFFSET, (byte) 0x81);
        assertEquals(1, Cqe.readOwnerOnce(entries, 0));
    }

    @Test
    void smallPayloadsScatterIntoTheCqe() {
        MemorySegment entries = arena.allocate(2 * 64, 64);
        MemorySegment src = arena.allocate(32);
        byte[] payload = new byte[32];
        new Random(3).nextBytes(payload);
        MemorySegment.copy(payload, 0, src, JAVA_BYTE, 0, 32);
        Cqe c = new Cqe().at(entries, 64).inlineData(src, 0, 32);
        assertEquals(32, c.inlineLen());
        MemorySegment dst = arena.allocate(32);
        c.copyInlineData(dst, 0, 32);
        assertArrayEquals(payload, dst.toArray(JAVA_BYTE));
        assertEquals(payload[0], entries.get(JAVA_BYTE, 64 + 32));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.inlineData(src, 0, 33));
        assertTrue(e.getMessage().contains("length is 33") && e.getMessage().contains("[0, 32]"), e.getMessage());
    }
}
