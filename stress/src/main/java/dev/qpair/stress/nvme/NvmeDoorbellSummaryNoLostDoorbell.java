package dev.qpair.stress.nvme;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.qpair.barriers.Mmio;
import dev.qpair.rings.nvme.DoorbellSummary;
import dev.qpair.rings.nvme.NvmeQueues;
import dev.qpair.stress.SharedMemory;
import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The doorbell summary as nvme-model's qpair and controller run it. SQ 1 has consumed tail 1 and
 * its summary bit is set. The host rings tail 2 ({@code writel}) and calls
 * {@link DoorbellSummary#notify} ({@code mb()}, load the bit, set it if clear). The controller
 * parks the queue: {@link DoorbellSummary#clear} (an atomic, a full fence), then re-reads the
 * doorbell. Either the bit ends set or the controller's re-read saw tail 2: the doorbell is never
 * lost. Result: the bit at the end (1/0), the tail the controller re-read.
 */
@JCStressTest
@Description("Doorbell summary park vs host notify: the bit ends set or the controller's re-read sees the new tail")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The host saw the bit clear and set it; the controller visits the queue.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Both: a spare visit.")
@Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "The host saw the bit still set; the controller's re-read found tail 2.")
@Outcome(id = "0, 1", expect = FORBIDDEN, desc = "Lost doorbell: the queue is parked and its new tail unseen.")
@State
public class NvmeDoorbellSummaryNoLostDoorbell {

    private static final int QID = 1;
    private static final long DOORBELL = NvmeQueues.sqTailDoorbell(QID, 0);

    private final MemorySegment bar = SharedMemory.allocate(8192);

    public NvmeDoorbellSummaryNoLostDoorbell() {
        Mmio.writel(bar, DOORBELL, 1);
        DoorbellSummary.set(bar, QID);
    }

    @Actor
    public void host() {
        Mmio.writel(bar, DOORBELL, 2);
        DoorbellSummary.notify(bar, QID);
    }

    @Actor
    public void controller(II_Result r) {
        DoorbellSummary.clear(bar, QID);
        r.r2 = Mmio.readl(bar, DOORBELL);
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r1 = DoorbellSummary.isSet(bar, QID) ? 1 : 0;
    }
}
