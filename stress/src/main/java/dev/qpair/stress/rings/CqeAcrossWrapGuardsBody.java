package dev.qpair.stress.rings;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.rings.CqConsumer;
import dev.qpair.rings.CqProducer;
import dev.qpair.rings.CqRing;
import dev.qpair.rings.Cqe;
import java.lang.foreign.Arena;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A CQE produced across a wrap, through {@code CqProducer} and {@code CqConsumer} on a one-entry
 * CQ: lap 0's CQE (wr_id 1, byte_len 10, imm_data 100) was produced, polled and returned. The
 * device claims the slot again and writes lap 1's body (wr_id 2, byte_len 20, imm_data 200), then
 * its owner bit with release; the host polls index 1 (owner bit read once, then {@code dma_rmb()})
 * and reads the body only when the owner bit is lap 1's. Result: polled (1) or empty (0), wr_id,
 * byte_len, imm_data (-1 when not read).
 */
@JCStressTest
@Description("CQ ring across a wrap: an owner bit of the current lap never comes with the previous lap's body")
@Outcome(id = "0, -1, -1, -1", expect = ACCEPTABLE, desc = "Lap 1's owner bit not yet visible: the CQ reads as empty.")
@Outcome(id = "1, 2, 20, 200", expect = ACCEPTABLE, desc = "Lap 1's owner bit and lap 1's whole body.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "Lap 1's owner bit with (part of) lap 0's body.")
@State
public class CqeAcrossWrapGuardsBody {

    private final CqRing cq = CqRing.allocate(Arena.ofAuto(), 1);
    private final CqProducer producer = cq.producer();
    private final CqConsumer consumer = cq.consumer();
    private final Cqe deviceCqe = new Cqe();
    private final Cqe hostCqe = new Cqe();

    public CqeAcrossWrapGuardsBody() {
        deviceCqe.at(cq.entries(), producer.claim()).wrId(1).byteLen(10).immData(100);
        producer.publishOwnerRelease();
        consumer.pollAcquire();
        consumer.advance();
        consumer.publishConsumerIndexRelease();
    }

    @Actor
    public void device() {
        long offset = producer.claim();
        if (offset != CqProducer.CQ_FULL) {
            deviceCqe.at(cq.entries(), offset).wrId(2).byteLen(20).immData(200);
            producer.publishOwnerRelease();
        }
    }

    @Actor
    public void host(IIII_Result r) {
        long offset = consumer.pollAcquire();
        if (offset == CqConsumer.CQ_EMPTY) {
            r.r1 = 0;
            r.r2 = -1;
            r.r3 = -1;
            r.r4 = -1;
            return;
        }
        hostCqe.at(cq.entries(), offset);
        r.r1 = 1;
        r.r2 = (int) hostCqe.wrId();
        r.r3 = hostCqe.byteLen();
        r.r4 = hostCqe.immData();
    }
}
