package dev.qpair.stress.hca;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.rings.DoorbellQueue;
import dev.qpair.rings.DoorbellRecord;
import dev.qpair.rings.SendWqe;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * The HCA's THREAD-mode doorbell (hop 2): the host writes a one-block RDMA_WRITE WQE in the send
 * ring, publishes producer index 1 in the doorbell record, claims a doorbell-queue slot, copies the
 * WQE into it (BlueFlame) and publishes the slot, {@code seq} last with release. The engine polls
 * the slot's {@code seq} with acquire and, when it is published, reads the QPN, the producer index,
 * the copy's opcode and wr_id, and the doorbell record. Result: published (1/0), QPN, producer
 * index, opcode and wr_id of the copy (-1 when not published), then the record (-1 likewise).
 */
@JCStressTest
@Description("Doorbell queue: a published slot never comes with a stale header, WQE copy or doorbell record")
@Outcome(id = "0, -1, -1, -1, -1", expect = ACCEPTABLE, desc = "Slot not yet published: the engine reads nothing.")
@Outcome(id = "1, 7, 1, 8, 1", expect = ACCEPTABLE, desc = "Slot published: header, copy and record are the host's.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "A published slot with (part of) a stale header, copy or record.")
@State
public class DoorbellSlotPublishesWqeCopy {

    private final Arena arena = Arena.ofAuto();
    private final DoorbellQueue queue = DoorbellQueue.allocate(arena, 2);
    private final MemorySegment record = DoorbellRecord.allocate(arena);
    private final SendWqe hostWqe;
    private final SendWqe copy;

    public DoorbellSlotPublishesWqeCopy() {
        hostWqe = new SendWqe(arena.allocate(4 * SendWqe.BASIC_BLOCK_SIZE, 4096));
        copy = new SendWqe(queue.blueFlame(0));
    }

    @Actor
    public void host() {
        hostWqe.at(0).opcode(WrOpcode.RDMA_WRITE).wrId(8).remoteAddress(0x5000, 0x33).sge(0, 9, 0x1000, 64);
        DoorbellRecord.publishSendProducerRelease(record, 1);
        long position = queue.claim();
        queue.copyBlueFlame(position, hostWqe, SendWqe.BASIC_BLOCK_SIZE);
        queue.publish(position, 7, 1, 1);
    }

    @Actor
    public void engine(IIIII_Result r) {
        long slot = queue.pollAcquire();
        if (slot == DoorbellQueue.EMPTY) {
            r.r1 = 0;
            r.r2 = -1;
            r.r3 = -1;
            r.r4 = -1;
            r.r5 = -1;
            return;
        }
        r.r1 = 1;
        r.r2 = queue.qpn(slot);
        r.r3 = queue.producer(slot);
        copy.at(0);
        r.r4 = copy.opcode() == WrOpcode.RDMA_WRITE ? (int) copy.wrId() : -2;
        r.r5 = DoorbellRecord.sendProducerAcquire(record);
    }
}
