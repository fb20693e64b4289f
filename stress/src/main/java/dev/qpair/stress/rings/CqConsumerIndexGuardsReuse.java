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
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The CQ's slot return, through {@code CqProducer} and {@code CqConsumer} on a one-entry CQ that
 * holds one unpolled CQE (wr_id 1, byte_len 10). The host polls it, reads its body, advances and
 * publishes the consumer index with release; the device claims the next slot (re-reading the
 * consumer index with acquire because the cached one says full) and, if granted, overwrites the
 * slot with wr_id 2, byte_len 20. Result: the wr_id and byte_len the host read, and whether the
 * device's claim was granted (1) or found the CQ full (0).
 */
@JCStressTest
@Description("CQ consumer index: the device reuses a slot only after the host has finished reading it")
@Outcome(id = "1, 10, 0", expect = ACCEPTABLE, desc = "Device found the CQ full: the consumer index was not yet visible.")
@Outcome(id = "1, 10, 1", expect = ACCEPTABLE, desc = "Host read the CQE, then the device reused its slot.")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "Host read the device's new wr_id: the slot was reused under it.")
@Outcome(id = "1, 20, .*", expect = FORBIDDEN, desc = "Host read the new byte_len: the slot was reused under it.")
@State
public class CqConsumerIndexGuardsReuse {

    private final CqRing cq = CqRing.allocate(Arena.ofAuto(), 1);
    private final CqProducer producer = cq.producer();
    private final CqConsumer consumer = cq.consumer();
    private final Cqe deviceCqe = new Cqe();
    private final Cqe hostCqe = new Cqe();

    public CqConsumerIndexGuardsReuse() {
        deviceCqe.at(cq.entries(), producer.claim()).wrId(1).byteLen(10);
        producer.publishOwnerRelease();
    }

    @Actor
    public void host(III_Result r) {
        hostCqe.at(cq.entries(), consumer.pollAcquire());
        r.r1 = (int) hostCqe.wrId();
        r.r2 = hostCqe.byteLen();
        consumer.advance();
        consumer.publishConsumerIndexRelease();
    }

    @Actor
    public void device(III_Result r) {
        long offset = producer.claim();
        if (offset == CqProducer.CQ_FULL) {
            r.r3 = 0;
            return;
        }
        deviceCqe.at(cq.entries(), offset).wrId(2).byteLen(20);
        producer.publishOwnerRelease();
        r.r3 = 1;
    }
}
