package dev.qpair.stress.nvme;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

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
 * {@link NvmeDoorbellSummaryNoLostDoorbell} with the host's {@code mb()} left out: the host's
 * load of the summary bit may pass its own doorbell store (store buffering, even on x86), so it
 * can see the bit still set while the controller's re-read after its clear sees the old tail.
 * Documents why {@link DoorbellSummary#notify} starts with {@code mb()}. Passes either way.
 * Result: the bit at the end (1/0), the tail the controller re-read.
 */
@JCStressTest
@Description("Doorbell summary without the host mb(): the bit load may pass the doorbell store")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The host saw the bit clear and set it; the controller visits the queue.")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Both: a spare visit.")
@Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "The host saw the bit still set; the controller's re-read found tail 2.")
@Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Permitted without mb(): the host's bit load passed its doorbell store; the doorbell is lost.")
@State
public class NvmeDoorbellSummaryWithoutMbLosesDoorbell {

    private static final int QID = 1;
    private static final long DOORBELL = NvmeQueues.sqTailDoorbell(QID, 0);

    private final MemorySegment bar = SharedMemory.allocate(8192);

    public NvmeDoorbellSummaryWithoutMbLosesDoorbell() {
        Mmio.writel(bar, DOORBELL, 1);
        DoorbellSummary.set(bar, QID);
    }

    @Actor
    public void host() {
        Mmio.writel(bar, DOORBELL, 2);
        if (!DoorbellSummary.isSet(bar, QID)) {
            DoorbellSummary.set(bar, QID);
        }
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
