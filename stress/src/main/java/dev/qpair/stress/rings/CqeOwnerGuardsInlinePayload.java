package dev.qpair.stress.rings;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
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
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Scatter to CQE: the device copies a 96-byte payload (every long 0x0707...) into a 128-byte CQE's
 * inline area, which spans both of the CQE's lines, writes the header with inline_len 96, its last
 * word (with the owner bit) with release ({@code publishRelease}); the host polls (reading the second line early, then the owner bit once,
 * then {@code dma_rmb()}) and reads inline_len, the payload's first long (first line) and last long
 * (second line). Result: polled (1) or empty (0), inline_len, first long == pattern (1/0), last
 * long == pattern (1/0); -1 when not read.
 */
@JCStressTest
@Description("Scatter to CQE: an owner bit of a CQE never comes without the inline payload written before it, on either line")
@Outcome(id = "0, -1, -1, -1", expect = ACCEPTABLE, desc = "The owner bit is not yet visible: the CQ reads as empty.")
@Outcome(id = "1, 96, 1, 1", expect = ACCEPTABLE, desc = "The owner bit, inline_len and the whole payload.")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "The owner bit with a stale inline_len or payload.")
@State
public class CqeOwnerGuardsInlinePayload {

    private static final long PATTERN = 0x0707_0707_0707_0707L;

    private final CqRing cq = CqRing.allocate(Arena.ofAuto(), 1, Cqe.LARGE_SIZE);
    private final CqProducer producer = cq.producer();
    private final CqConsumer consumer = cq.consumer();
    private final MemorySegment payload = Arena.ofAuto().allocate(96, 8).fill((byte) 7);

    @Actor
    public void device() {
        long offset = producer.claim();
        MemorySegment.copy(payload, 0, producer.entries(), offset + Cqe.INLINE_DATA_OFFSET, 96);
        producer.publishRelease(1, 96, 0, 1, 2, 0, WcOpcode.RECV, WcStatus.SUCCESS, Cqe.WC_FLAG_INLINE_SCATTER, 96);
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
        MemorySegment e = cq.entries();
        r.r1 = 1;
        r.r2 = Cqe.inlineLenAt(e, offset);
        r.r3 = e.get(JAVA_LONG, offset + Cqe.INLINE_DATA_OFFSET) == PATTERN ? 1 : 0;
        r.r4 = e.get(JAVA_LONG, offset + Cqe.INLINE_DATA_OFFSET + 88) == PATTERN ? 1 : 0;
    }
}
