package dev.qpair.stress.rings;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.rings.CqConsumer;
import dev.qpair.rings.CqProducer;
import dev.qpair.rings.CqRing;
import dev.qpair.rings.Cqe;
import dev.qpair.rings.WcOpcode;
import dev.qpair.rings.WcStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Two engine threads complete into one two-entry CQ, each under the producer lock whose word sits
 * on the control block's device line ({@code CqProducer.lock}, a cmpxchg; {@code unlock}, a
 * release store): claim the next slot, write the header with {@code publishRelease} (three words,
 * then the word with the owner bit, with release), advance the producer index. The host then polls both slots. Result: wr_id and
 * byte_len of slot 0, then of slot 1 (-1, -1 for a slot whose owner bit is not set).
 */
@JCStressTest
@Description("CQ producer lock: two producers claim distinct slots and neither's CQE body mixes with the other's")
@Outcome(id = "1, 10, 2, 20", expect = ACCEPTABLE, desc = "Producer 1 took the lock first.")
@Outcome(id = "2, 20, 1, 10", expect = ACCEPTABLE, desc = "Producer 2 took the lock first.")
@Outcome(id = ".*, -1, -1", expect = FORBIDDEN, desc = "Both claimed slot 0: a CQE was lost.")
@Outcome(expect = FORBIDDEN, desc = "A body mixes the two producers' stores.")
@State
public class CqProducerLockSerializesProducers {

    private final CqRing cq = CqRing.allocate(Arena.ofAuto(), 2);
    private final CqProducer producer1 = cq.producer();
    private final CqProducer producer2 = cq.producer();
    private final CqConsumer consumer = cq.consumer();

    private static void complete(CqProducer p, int id) {
        p.lock();
        try {
            long offset = p.claim();
            if (offset != CqProducer.CQ_FULL) {
                p.publishRelease(id, id * 10, 0, 1, 2, id, WcOpcode.SEND, WcStatus.SUCCESS, 0, 0);
            }
        } finally {
            p.unlock();
        }
    }

    @Actor
    public void device1() {
        complete(producer1, 1);
    }

    @Actor
    public void device2() {
        complete(producer2, 2);
    }

    @Arbiter
    public void host(IIII_Result r) {
        MemorySegment e = cq.entries();
        long offset = consumer.pollAcquire();
        r.r1 = offset == CqConsumer.CQ_EMPTY ? -1 : (int) Cqe.wrIdAt(e, offset);
        r.r2 = offset == CqConsumer.CQ_EMPTY ? -1 : Cqe.byteLenAt(e, offset);
        consumer.advance();
        offset = consumer.pollAcquire();
        r.r3 = offset == CqConsumer.CQ_EMPTY ? -1 : (int) Cqe.wrIdAt(e, offset);
        r.r4 = offset == CqConsumer.CQ_EMPTY ? -1 : Cqe.byteLenAt(e, offset);
    }
}
