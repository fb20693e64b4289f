package dev.qpair.stress.rings;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

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
 * Hop 1 of the datapath with the rings types: the host writes a one-block RDMA_WRITE_WITH_IMM WQE
 * through the {@code SendWqe} flyweight (plain stores: opcode, wr_id, rkey, one SGE), then
 * publishes send producer index 1 in the doorbell record with release; the device reads the
 * producer index with acquire and, when it is 1, reads the WQE. Result: producer index, opcode,
 * wr_id, rkey, SGE length (-1 when the WQE is not read).
 */
@JCStressTest
@Description("Doorbell record: a published send producer index never comes with a stale WQE")
@Outcome(id = "0, -1, -1, -1, -1", expect = ACCEPTABLE, desc = "Producer index not yet visible: the device reads no WQE.")
@Outcome(id = "1, 1, 77, 51, 64", expect = ACCEPTABLE, desc = "Producer index and the whole WQE.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "Producer index with (part of) a stale WQE.")
@State
public class DoorbellRecordPublishesWqe {

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment record = DoorbellRecord.allocate(arena);
    private final SendWqe hostWqe;
    private final SendWqe deviceWqe;

    public DoorbellRecordPublishesWqe() {
        MemorySegment ring = arena.allocate(8 * SendWqe.BASIC_BLOCK_SIZE, 4096);
        hostWqe = new SendWqe(ring);
        deviceWqe = new SendWqe(ring);
    }

    @Actor
    public void host() {
        hostWqe.at(0).opcode(WrOpcode.RDMA_WRITE_WITH_IMM).wrId(77).remoteAddress(0x5000, 0x33).sge(0, 9, 0x1000, 64);
        DoorbellRecord.publishSendProducerRelease(record, 1);
    }

    @Actor
    public void device(IIIII_Result r) {
        r.r1 = DoorbellRecord.sendProducerAcquire(record);
        if (r.r1 != 1) {
            r.r2 = -1;
            r.r3 = -1;
            r.r4 = -1;
            r.r5 = -1;
            return;
        }
        deviceWqe.at(0);
        r.r2 = deviceWqe.opcode();
        r.r3 = (int) deviceWqe.wrId();
        r.r4 = deviceWqe.rkey();
        r.r5 = deviceWqe.sgeLength(0);
    }
}
