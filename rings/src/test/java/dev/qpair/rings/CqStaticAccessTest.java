package dev.qpair.rings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-place (static) CQE and receive-WQE accessors, the producer lock and the host's poll state. */
class CqStaticAccessTest {

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void writeBodyLandsWhereTheFlyweightReadsAndLeavesTheOwnerAlone() {
        CqRing cq = CqRing.allocate(arena, 4, Cqe.LARGE_SIZE);
        MemorySegment e = cq.entries();
        long off = cq.offsetOf(2);
        Cqe.writeOwnerRelease(e, off, 1);
        Cqe.writeBody(e, off, -7L, 96, 0x1234_5678, 0xabcdef, 0x42, 0xfffe, WcOpcode.RECV, WcStatus.LOC_PROT_ERR,
                Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_INLINE_SCATTER, 96);
        Cqe r = cq.newCqe().at(e, off);
        assertEquals(-7L, r.wrId());
        assertEquals(96, r.byteLen());
        assertEquals(0x1234_5678, r.immData());
        assertEquals(0xabcdef, r.qpn());
        assertEquals(0x42, r.srcQp());
        assertEquals(0xfffe, r.wqeCounter());
        assertEquals(WcOpcode.RECV, r.opcode());
        assertEquals(WcStatus.LOC_PROT_ERR, r.status());
        assertEquals(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_INLINE_SCATTER, r.wcFlags());
        assertEquals(0, r.vendorErr());
        assertEquals(96, r.inlineLen());
        assertEquals(1, r.ownerOnce(), "writeBody never writes the owner byte");
        assertEquals(r.wrId(), Cqe.wrIdAt(e, off));
        assertEquals(r.byteLen(), Cqe.byteLenAt(e, off));
        assertEquals(r.immData(), Cqe.immDataAt(e, off));
        assertEquals(r.qpn(), Cqe.qpnAt(e, off));
        assertEquals(r.srcQp(), Cqe.srcQpAt(e, off));
        assertEquals(r.wqeCounter(), Cqe.wqeCounterAt(e, off));
        assertEquals(r.opcode(), Cqe.opcodeAt(e, off));
        assertEquals(r.wcFlags(), Cqe.wcFlagsAt(e, off));
        assertEquals(r.vendorErr(), Cqe.vendorErrAt(e, off));
        assertEquals(r.inlineLen(), Cqe.inlineLenAt(e, off));
        Cqe.writeStatus(e, off, WcStatus.SUCCESS);
        assertEquals(WcStatus.SUCCESS, Cqe.statusAt(e, off));
        assertEquals(0, Cqe.wrIdAt(e, cq.offsetOf(1)), "the neighbours are untouched");
        assertEquals(0, Cqe.wrIdAt(e, cq.offsetOf(3)));
    }

    @Test
    void publishReleaseWritesTheWholeHeaderWithTheLapsOwnerBit() {
        CqRing cq = CqRing.allocate(arena, 2, Cqe.LARGE_SIZE);
        CqProducer p = cq.producer();
        CqConsumer c = cq.consumer();
        MemorySegment e = cq.entries();
        for (int i = 0; i < 5; i++) {
            assertEquals(CqConsumer.CQ_EMPTY, c.pollAcquire());
            long off = p.claim();
            p.publishRelease(-1L - i, 90 + i, 0x7000_0000 | i, 0x00ab_cdef, -2, 0xfff0 + i, WcOpcode.RECV_RDMA_WITH_IMM,
                    WcStatus.REM_OP_ERR, Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_SOLICITED, 96 - i);
            assertEquals(off, c.pollAcquire(), "lap " + (i / 2) + ": the owner bit says the CQE is there");
            assertEquals(-1L - i, Cqe.wrIdAt(e, off));
            assertEquals(90 + i, Cqe.byteLenAt(e, off));
            assertEquals(0x7000_0000 | i, Cqe.immDataAt(e, off));
            assertEquals(0x00ab_cdef, Cqe.qpnAt(e, off));
            assertEquals(-2, Cqe.srcQpAt(e, off));
            assertEquals(0xfff0 + i, Cqe.wqeCounterAt(e, off));
            assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, Cqe.opcodeAt(e, off));
            assertEquals(WcStatus.REM_OP_ERR, Cqe.statusAt(e, off));
            assertEquals(Cqe.WC_FLAG_WITH_IMM | Cqe.WC_FLAG_SOLICITED, Cqe.wcFlagsAt(e, off));
            assertEquals(0, Cqe.vendorErrAt(e, off));
            assertEquals(96 - i, Cqe.inlineLenAt(e, off));
            assertEquals(RingMath.ownerBit(i, 1), Cqe.readOwnerOnce(e, off));
            c.advance();
            c.publishConsumerIndexRelease();
        }
    }

    @Test
    void recvWqeStaticReadersMatchTheFlyweight() {
        MemorySegment ring = arena.allocate(8 * 64, 4096);
        RecvWqe w = new RecvWqe(ring, 64).at(13).wrId(99).numSge(2).sge(0, 5, 0x5000, 50).sge(1, 6, 0x6000, 60);
        long slot = w.offset();
        assertEquals(5 * 64, slot);
        assertEquals(99, RecvWqe.wrIdAt(ring, slot));
        assertEquals(2, RecvWqe.numSgeAt(ring, slot));
        assertEquals(5, RecvWqe.sgeLkeyAt(ring, slot, 0));
        assertEquals(0x6000, RecvWqe.sgeAddressAt(ring, slot, 1));
        assertEquals(60, RecvWqe.sgeLengthAt(ring, slot, 1));
        assertEquals(RecvWqe.sgeLkeyAt(ring, 0, 0), RecvWqe.sgeLkeyAt(ring, 8 * 64 - 16, 0),
                "a garbage slot offset wraps into the ring instead of throwing");
    }

    @Test
    void controlBlockKeepsTheLockOnTheDeviceLineAndThePollStateOnTheHostLine() {
        assertEquals(8, CqRing.PRODUCER_LOCK);
        assertEquals(136, CqRing.POLL_STATE);
        assertEquals(256, CqRing.CONTROL_LAYOUT.byteSize());
        CqRing cq = CqRing.allocate(arena, 4);
        CqConsumer c = cq.consumer();
        assertEquals(0, c.pollState());
        c.pollState(2);
        assertEquals(2, c.pollState());
        assertEquals(0, c.currentOffset());
        c.advance();
        assertEquals(64, c.currentOffset());
    }

    @Test
    void producerLockExcludesASecondProducerUntilUnlocked() throws Exception {
        CqRing cq = CqRing.allocate(arena, 4);
        CqProducer p1 = cq.producer();
        CqProducer p2 = cq.producer();
        p1.lock();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean entered = new AtomicBoolean();
        Thread t = new Thread(() -> {
            started.countDown();
            p2.lock();
            entered.set(true);
            p2.unlock();
        });
        t.start();
        assertTrue(started.await(5, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertFalse(entered.get(), "the second producer waits while the first holds the lock");
        p1.unlock();
        t.join(5_000);
        assertTrue(entered.get(), "and gets it once released");
        p1.lock();
        p1.unlock();
    }
}
