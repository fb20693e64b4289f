package dev.qpair.stress.nvme;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;

import dev.qpair.barriers.Barriers;
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
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link NvmeShadowParkNoLostDoorbell} with a park that clears the summary bit and re-reads the
 * shadow tail but leaves the stale EventIdx alone: the host then has no reason to ring, and a tail
 * stored after the re-read stays on a parked queue. Documents why parking a shadowed queue must
 * ask for a doorbell. Passes either way. Result: the host rang (1/0), the tail the controller
 * re-read, the bit at the end (1/0).
 */
@JCStressTest
@Description("Poller park without the EventIdx store: the host sees the stale EventIdx and a new tail stays unseen")
@Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = "The controller's re-read found tail 2 and set the bit.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "Lost doorbell: the re-read came first and the stale EventIdx asked the host for nothing.")
@State
public class NvmeShadowParkWithoutEventIdxLosesDoorbell {

    private static final int QID = 1;
    private static final int ENTRIES = 16;
    private static final long DOORBELL = NvmeQueues.sqTailDoorbell(QID, 0);

    private final MemorySegment bar = SharedMemory.allocate(8192);
    private final MemorySegment shadow = SharedMemory.allocate(64);
    private final MemorySegment eventIdx = SharedMemory.allocate(64);

    public NvmeShadowParkWithoutEventIdxLosesDoorbell() {
        shadow.set(JAVA_INT, 0, 1);
        eventIdx.set(JAVA_INT, 0, 0);
        DoorbellSummary.set(bar, QID);
    }

    @Actor
    public void host(III_Result r) {
        Barriers.smpStoreReleaseInt(shadow, 0, 2);
        Barriers.mb();
        int event = Barriers.readOnceInt(eventIdx, 0);
        if (NvmeQueues.needEvent(event, 2, 1, ENTRIES)) {
            Mmio.writel(bar, DOORBELL, 2);
            DoorbellSummary.notify(bar, QID);
            r.r1 = 1;
        }
    }

    @Actor
    public void controller(III_Result r) {
        DoorbellSummary.clear(bar, QID);
        int tail = Barriers.smpLoadAcquireInt(shadow, 0);
        if (tail != 1) {
            DoorbellSummary.set(bar, QID);
        }
        r.r2 = tail;
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = DoorbellSummary.isSet(bar, QID) ? 1 : 0;
    }
}
