package dev.qpair.rings;

import static dev.qpair.barriers.testing.AllocationMeter.bytesAllocatedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Posting and polling through the flyweights, a million times after as many warm-up calls, allocate nothing. */
class AllocationTest {

    private static final long CALLS = 1_000_000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment sendRing = arena.allocate(64 * 64, 4096);
    private final MemorySegment recvRing = arena.allocate(64 * 64, 4096);
    private final MemorySegment record = DoorbellRecord.allocate(arena);
    private final MemorySegment page = DoorbellPage.allocate(arena);
    private final MemorySegment payload = arena.allocate(64, 64);
    private final MemorySegment sinkBuffer = arena.allocate(512, 64);
    private final SendWqe wqe = new SendWqe(sendRing);
    private final RecvWqe rwqe = new RecvWqe(recvRing, 64);
    private final CqRing cq = CqRing.allocate(arena, 256);
    private final CqProducer producer = cq.producer();
    private final CqConsumer consumer = cq.consumer();
    private final Cqe w = new Cqe();
    private final Cqe r = new Cqe();
    private long sink;
    private Object escape;

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void theMeterSeesAllocationHere() throws Throwable {
        long bytes = bytesAllocatedBy(10_000, i -> escape = new Cqe().at(cq.entries(), 0));
        assertTrue(bytes >= 10_000 * 16, "ten thousand escaping flyweights, measured " + bytes + " bytes");
    }

    @Test
    void postingAllocatesNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            int pi = (int) i * 2;
            int ds = SendWqe.octowordsForInline(WrOpcode.RDMA_WRITE, 64);
            wqe.at(pi).opcode(WrOpcode.RDMA_WRITE).flags(SendWqe.FLAG_SIGNALED | SendWqe.FLAG_INLINE).wqeIndex(pi)
                    .qpn(7).ds(ds).wrId(i).remoteAddress(0x1000, 3).inlineData(payload, 0, 64);
            int blocks = SendWqe.basicBlocks(ds);
            DoorbellRecord.publishSendProducerRelease(record, pi + blocks);
            DoorbellPage.ringBlueFlame(page, 1, wqe, blocks, DoorbellPage.doorbellValue(7, pi + blocks, blocks));
            rwqe.at((int) i).wrId(i).numSge(2).sge(0, 1, 0x2000, 32).sge(1, 1, 0x3000, 32);
            DoorbellRecord.publishRecvProducerRelease(record, (int) i + 1);
            sink += SendWqe.slotsForSges(WrOpcode.SEND, 3);
        }));
    }

    @Test
    void deviceReadsAllocateNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            sink += DoorbellRecord.sendProducerAcquire(record) + DoorbellPage.readDoorbell(page, 1);
            SendWqe s = wqe.at((int) i);
            sink += s.opcode() + s.flags() + s.wqeIndex() + s.qpn() + s.ds() + s.wrId() + s.remoteAddress()
                    + s.rkey() + s.inlineByteCount() + s.sgeLkey(1) + s.sgeAddress(1) + s.sgeLength(1);
            s.copyInlineData(sinkBuffer, 0, 64);
            RecvWqe rr = rwqe.at((int) i);
            sink += rr.wrId() + rr.numSge() + rr.sgeLkey(0) + rr.sgeAddress(0) + rr.sgeLength(0);
        }));
    }

    @Test
    void completingAndPollingAllocateNothing() throws Throwable {
        assertEquals(0, bytesAllocatedBy(CALLS, i -> {
            long offset = producer.claim();
            w.at(producer.entries(), offset).wrId(i).byteLen(64).immData(1).qpn(7).srcQp(8).wqeCounter((int) i)
                    .opcode(WcOpcode.RECV).status(WcStatus.SUCCESS).wcFlags(Cqe.WC_FLAG_INLINE_SCATTER)
                    .inlineData(payload, 0, 32);
            producer.publishOwnerRelease();
            long polled = consumer.pollAcquire();
            r.at(consumer.entries(), polled);
            sink += r.wrId() + r.byteLen() + r.immData() + r.qpn() + r.srcQp() + r.wqeCounter() + r.opcode()
                    + r.status() + r.wcFlags() + r.inlineLen();
            r.copyInlineData(sinkBuffer, 0, 32);
            consumer.advance();
            if ((i & 15) == 15) {
                consumer.publishConsumerIndexRelease();
            }
        }));
    }
}
